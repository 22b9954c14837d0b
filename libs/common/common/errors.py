"""Unprocessable: the one way to say that an entry or a request can never succeed as it is.

A signature that does not verify, bytes that break the event contract, a domain rule that refuses
an event: each is an ``Unprocessable`` with a stable ``code`` for machines and a ``message`` for
people. A consumer moves such an entry to the dead-letter stream at once; an HTTP route answers
it with a 4xx. Anything else that fails (a database or Redis that does not answer) is not this:
it may succeed later, and is retried.
"""

from __future__ import annotations

__all__ = ["Unprocessable"]


class Unprocessable(Exception):
    """This entry can never succeed; ``code`` is stable, ``message`` says why to a person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
