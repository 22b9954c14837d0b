"""Use cases of nomination intake."""
