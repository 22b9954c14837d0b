"""Benchmarks of the exemplar pipeline beside a raw Redis Streams baseline (`make bench`)."""
