"""Contracts across services that need no running system."""
