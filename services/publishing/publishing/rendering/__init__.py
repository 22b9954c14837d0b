"""Turning stories into HTML and Atom: Jinja2 templates (autoescaped) and an ElementTree feed."""
