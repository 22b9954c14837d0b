"""The local proxy: rendered from the compose template, and a start that fails says why."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from common.registry import SERVICES
from exemplars_tools.ports import free_port
from exemplars_tools.proxy import TEMPLATE, LocalProxy, find_nginx, render


def test_every_name_in_the_template_needs_a_value() -> None:
    with pytest.raises(ValueError, match="no value for EXEMPLARS_"):
        render(TEMPLATE.read_text(encoding="utf-8"), {})


def test_a_proxy_that_cannot_listen_says_what_nginx_said(tmp_path: Path) -> None:
    nginx = find_nginx()
    assert nginx, "nginx is installed by make test (python -m exemplars_tools.system_packages)"
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        upstreams = {entry.name: "http://127.0.0.1:9" for entry in SERVICES}
        proxy = LocalProxy(tmp_path / "nginx", port, upstreams, tmp_path / "media")
        with pytest.raises(RuntimeError, match=r"nginx exited with 1: .*Address already in use"):
            proxy.start(nginx)
