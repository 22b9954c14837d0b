"""Use cases of the review office."""
