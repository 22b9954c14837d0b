"""The public pages under load: ``wrk`` against publishing itself, against publishing behind the
deployment's proxy configuration (``deploy/nginx/public-site.conf``, its short cache included),
and against nginx serving the very same bytes as static files, all in one run on one machine."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Load", "nginx_front", "wrk"]

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_SITE = ROOT / "deploy" / "nginx" / "public-site.conf"


@dataclass(frozen=True)
class Load:
    """One wrk run: requests per second and the 99th percentile latency, in milliseconds."""

    label: str
    requests_per_s: float
    p99_ms: float
    errors: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk(label: str, url: str, *, connections: int, seconds: int, threads: int = 2, script: Path | None = None) -> Load:
    """``wrk -c{connections} -d{seconds}s --latency [-s script] url``, parsed."""
    program = shutil.which("wrk")
    if program is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    result = subprocess.run(
        [
            program,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            *(["-s", str(script)] if script else []),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    out = result.stdout
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    if rate is None or p99 is None:
        raise RuntimeError(f"cannot read wrk's output:\n{out}\n{result.stderr}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Load(label, float(rate.group(1)), _ms(p99.group(1)), errors)


def _nginx() -> str:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError("nginx is not installed (apt-get install nginx)")


def _config(folder: Path, *, static_port: int, proxy_port: int, upstream: str) -> str:
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {name}_temp_path {folder / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes auto;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
{temp}
    proxy_cache_path {folder / "cache"} levels=1:2 keys_zone=public_site:10m max_size=200m inactive=10m
                     use_temp_path=off;
    types {{ text/html html; application/atom+xml atom; }}

    # The same bytes as static files.
    server {{
        listen 127.0.0.1:{static_port};
        root {folder / "static"};
    }}

    # Publishing behind the deployment's public-site configuration.
    server {{
        listen 127.0.0.1:{proxy_port};
        set $publishing {upstream};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        include {PUBLIC_SITE};
    }}
}}
"""


@contextlib.contextmanager
def nginx_front(folder: Path, upstream: str, static_port: int, proxy_port: int) -> Iterator[Path]:
    """nginx serving ``folder/static`` on ``static_port`` and proxying ``upstream`` on ``proxy_port``;
    yields the static folder."""
    for name in ("static", "cache", "client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    config = folder / "nginx.conf"
    config.write_text(_config(folder, static_port=static_port, proxy_port=proxy_port, upstream=upstream))
    process = subprocess.Popen(
        [_nginx(), "-c", str(config), "-p", str(folder), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited: {process.stderr.read().decode() if process.stderr else ''}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{static_port}/", timeout=1).close()
                break
            except urllib.error.HTTPError:
                break  # it answers (with no page at /)
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("nginx did not answer within 10 s")
            time.sleep(0.1)
        yield folder / "static"
    finally:
        process.terminate()
        process.wait(10)
