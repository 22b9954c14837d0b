"""Pure publishing rules: no I/O."""
