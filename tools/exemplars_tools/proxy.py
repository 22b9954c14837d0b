"""The one address: nginx in front of the services, from the template docker compose renders too.

``deploy/nginx/exemplars.conf.template`` is the only proxy configuration. In compose, the nginx
image renders it with envsubst from the proxy's environment (``EXEMPLARS_*``); here ``render``
does the same with the values of a local run, and ``LocalProxy`` runs nginx on it as the user
who runs ``make run`` (its pid, logs, cache and temporary files in the state folder).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEPLOY", "NGINX", "TEMPLATE", "LocalProxy", "find_nginx", "local_values", "render"]

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "nginx"
TEMPLATE = DEPLOY / "exemplars.conf.template"
NGINX: Mapping[str, tuple[str, str]] = {"nginx": ("nginx", "nginx")}  # program -> (Debian, Homebrew)
_NAME = re.compile(r"\$\{(EXEMPLARS_[A-Z_]+)\}")
_MIME = Path("/etc/nginx/mime.types")


def render(template: str, values: Mapping[str, str]) -> str:
    """The template with every ``${EXEMPLARS_…}`` replaced; a name without a value is an error."""
    missing = sorted({name for name in _NAME.findall(template) if name not in values})
    if missing:
        raise ValueError(f"no value for {', '.join(missing)}")
    return _NAME.sub(lambda match: values[match.group(1)], template)


def local_values(folder: Path, listen: str, upstreams: Mapping[str, str], media_dir: Path) -> dict[str, str]:
    """The template's values for a local run: services on loopback, files in ``folder``."""
    values = {f"EXEMPLARS_{name.upper()}": url for name, url in upstreams.items()}
    values.update(
        EXEMPLARS_LISTEN=listen,
        # Upstreams are addresses, never names: the resolver is never asked, but must be given.
        EXEMPLARS_RESOLVER="127.0.0.1",
        EXEMPLARS_CACHE_DIR=str(folder / "cache"),
        EXEMPLARS_MEDIA_DIR=str(media_dir.resolve()),
        EXEMPLARS_SNIPPETS=str(DEPLOY),
    )
    return values


def find_nginx() -> str | None:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _main_config(folder: Path, server: Path) -> str:
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {name}_temp_path {folder / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    fallback = "    types { text/html html; text/css css; text/javascript js; audio/mpeg mp3; application/pdf pdf; }"
    types = f"    include {_MIME};" if _MIME.exists() else fallback
    return f"""{user}worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
{types}
    default_type application/octet-stream;
    access_log {folder / "access.log"};
    sendfile on;
{temp}
    include {server};
}}
"""


@dataclass
class LocalProxy:
    """nginx on ``port`` (loopback) in front of ``upstreams`` (service name -> base URL)."""

    folder: Path
    port: int
    upstreams: Mapping[str, str]
    media_dir: Path
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def write(self) -> Path:
        for name in ("cache", "client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.folder / name).mkdir(parents=True, exist_ok=True)
        self.media_dir.mkdir(parents=True, exist_ok=True)
        server = self.folder / "exemplars.conf"
        values = local_values(self.folder, f"127.0.0.1:{self.port}", self.upstreams, self.media_dir)
        server.write_text(render(TEMPLATE.read_text(encoding="utf-8"), values), encoding="utf-8")
        main = self.folder / "nginx.conf"
        main.write_text(_main_config(self.folder, server), encoding="utf-8")
        return main

    def start(self, nginx: str, timeout: float = 15) -> None:
        main = self.write()
        log = (self.folder / "nginx.out").open("ab")
        self.process = subprocess.Popen(
            [nginx, "-c", str(main), "-p", str(self.folder), "-g", "daemon off;"], stdout=log, stderr=log
        )
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.process.returncode}: {self._last_words()}")
            try:
                with urllib.request.urlopen(f"{self.url}/proxy-health", timeout=1):
                    return
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not answer within {timeout:g} s") from None
                time.sleep(0.1)

    def _last_words(self) -> str:
        """What nginx said before it stopped: the end of its error log and of its output."""
        said = []
        for name in ("error.log", "nginx.out"):
            path = self.folder / name
            if path.exists():
                said += path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        return " | ".join(said) or f"nothing in {self.folder}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
