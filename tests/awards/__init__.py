"""Tests of the awards service."""
