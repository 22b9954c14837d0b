"""Use cases of the publishing office."""
