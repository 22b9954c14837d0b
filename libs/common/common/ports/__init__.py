"""Interfaces to the world outside a service's database and streams, each with a fake beside it.

The real adapters are wired in a service's ``bootstrap``; tests of pure logic use the fakes.
"""
