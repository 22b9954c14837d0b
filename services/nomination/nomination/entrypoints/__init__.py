"""Entry points of the nomination service: HTTP API and stream consumers."""
