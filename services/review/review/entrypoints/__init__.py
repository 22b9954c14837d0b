"""Entry points of the review service: HTTP API and stream consumers."""
