"""Storage of stories and commendations."""
