"""Tools for operators and for local runs; service images do not carry them."""
