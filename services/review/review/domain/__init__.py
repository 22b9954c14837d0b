"""Pure review rules: no I/O."""
