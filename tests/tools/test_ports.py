"""Ports for local servers: free, outside the range outgoing connections take theirs from, never twice."""

from __future__ import annotations

import socket

from exemplars_tools import ports


def test_ports_lie_below_the_ephemeral_range_and_are_never_given_twice() -> None:
    start = ports._ephemeral_start()
    given = [ports.free_port() for _ in range(50)]
    assert len(set(given)) == 50
    assert all(20000 <= port < start for port in given)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", given[-1]))  # free when given


def test_a_port_someone_listens_on_is_not_given() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert not ports._binds(port)
