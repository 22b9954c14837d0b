"""The shared contract and delivery mechanics of the exemplars services."""
