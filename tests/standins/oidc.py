"""A real OpenID Connect provider for the tests: ``oidc-provider-mock``, as its own process.

It serves discovery, its signing keys, an authorization page where a test picks the person
(by subject) and the token endpoint with PKCE, as a provider the operator configures would.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.servers import free_port

__all__ = ["oidc_provider"]


@contextlib.contextmanager
def oidc_provider(users: Sequence[Mapping[str, Any]], log: Path) -> Iterator[str]:
    """The issuer URL of a provider knowing ``users`` (each a claims object with ``sub``)."""
    port = free_port()
    command = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--require-nonce", "true"]
    for user in users:
        command += ["--user-claims", json.dumps(user, ensure_ascii=False)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the OIDC provider did not start; see {log}") from None
                time.sleep(0.1)
        yield issuer
    finally:
        process.terminate()
        process.wait(10)
