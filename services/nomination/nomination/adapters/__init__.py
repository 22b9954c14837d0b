"""Storage of nominations."""
