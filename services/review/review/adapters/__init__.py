"""Storage of review cases."""
