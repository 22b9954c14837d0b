"""Tests of the publishing service."""
