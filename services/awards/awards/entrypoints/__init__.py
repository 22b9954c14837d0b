"""Entry points of the awards service: HTTP API and stream consumers."""
