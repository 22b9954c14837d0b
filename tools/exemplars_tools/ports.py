"""Ports for the servers a local run or a test starts, chosen where nothing else will take them.

A port the kernel hands out for ``bind(0)`` lies in its ephemeral range, the same range every
outgoing connection takes its own end from: between choosing such a port and the server binding
it, a service's connection to Redis or PostgreSQL can take it, and the server fails to start.
Ports below that range are only ever taken by a server asking for them by number.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

__all__ = ["free_port"]

_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LOWEST = 20000  # below it lie the ports people give their own servers (8000, 8080, 5432…)
_given: set[int] = set()


def _ephemeral_start() -> int:
    try:
        return int(_RANGE_FILE.read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default; also what other systems' ranges start above


def _binds(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback port nothing listens on, below the ephemeral range, not given before by this process."""
    stop = _ephemeral_start()
    if stop - _LOWEST >= 1000:
        for _ in range(500):
            port = random.randrange(_LOWEST, stop)
            if port not in _given and _binds(port):
                _given.add(port)
                return port
    with socket.socket() as sock:  # a machine with an unusual range: the kernel's choice
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    _given.add(port)
    return port
