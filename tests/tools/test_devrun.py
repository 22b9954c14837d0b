"""The local runner finds Redis or starts one, and says exactly what is wrong when it cannot."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from exemplars_tools.devrun import ensure_redis
from tests.servers import free_port


def test_starts_redis_with_persistence_when_none_answers(tmp_path: Path) -> None:
    port = free_port()
    handle = ensure_redis(f"redis://127.0.0.1:{port}/0", tmp_path)
    try:
        assert handle.process is not None
        client = redis.Redis(port=port)
        client.xadd("s", {"k": "v"})
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        client.close()
    finally:
        handle.stop()
    assert handle.process.returncode is not None
    assert (tmp_path / "redis").is_dir()


def test_uses_a_redis_that_answers(redis_base: str, tmp_path: Path) -> None:
    handle = ensure_redis(f"{redis_base}/0", tmp_path)
    assert handle.process is None


def test_a_remote_redis_that_does_not_answer_is_named(tmp_path: Path) -> None:
    url = f"redis://127.0.0.2:{free_port()}/0"
    with pytest.raises(SystemExit, match="Redis does not answer at"):
        ensure_redis(url, tmp_path)
