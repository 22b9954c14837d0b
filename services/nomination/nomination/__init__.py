"""Nomination service: units propose exemplars (giới thiệu điển hình tiên tiến) every quarter."""
