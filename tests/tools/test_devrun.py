"""The local run's Redis: started with the system's users and settings, or a given one; clear errors."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import redis

from exemplars_tools.cli import setup_state
from exemplars_tools.redis_server import REDIS_OPTIONS, given_redis, start_redis
from exemplars_tools.state import StateFolder
from tests.servers import free_port


def test_starts_redis_with_the_users_and_the_compose_settings(tmp_path: Path) -> None:
    setup_state(tmp_path)
    server = start_redis(StateFolder(tmp_path), free_port())
    try:
        assert server.process is not None
        with contextlib.closing(redis.Redis(port=server.port)) as anonymous, pytest.raises(redis.AuthenticationError):
            anonymous.ping()  # the default user is off
        with contextlib.closing(server.client()) as admin:
            for name, value in REDIS_OPTIONS.items():
                expected = str(1024 * 1024) if value == "1mb" else value
                assert admin.config_get(name) == {name: expected}
            users = set(admin.acl_users())
        assert {"admin", "tools", "svc-nomination", "svc-review", "unit-xa-ban-nguyen"} <= users
    finally:
        server.stop()
    assert server.process.returncode is not None
    assert StateFolder(tmp_path).redis_data.is_dir()


def test_a_port_already_taken_is_named(tmp_path: Path, redis_base: str) -> None:
    setup_state(tmp_path)
    port = int(redis_base.rsplit(":", 1)[1])
    with pytest.raises(SystemExit, match=f"already listens on 127.0.0.1:{port}"):
        start_redis(StateFolder(tmp_path), port)


def test_a_given_redis_that_does_not_answer_is_named(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"Redis does not answer at 127\.0\.0\.2"):
        given_redis(f"redis://127.0.0.2:{free_port()}/0", StateFolder(tmp_path))
