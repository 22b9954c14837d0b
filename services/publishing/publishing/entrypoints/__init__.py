"""Entry points of the publishing service: public web pages, the Atom feed, JSON API, stream consumers."""
