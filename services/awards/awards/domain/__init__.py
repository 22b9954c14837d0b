"""Pure commendation rules and records: no I/O."""
