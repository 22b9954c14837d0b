"""Storage of exemplars and awards, and the reward rules file."""
