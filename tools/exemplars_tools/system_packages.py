"""Programs the system runs that Python does not bring: found, installed where that needs no
questions (as root with apt-get, or with Homebrew), or explained."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping

__all__ = ["FOR_TESTS", "PRINT_LIBRARIES", "RADIO", "install", "install_libraries", "main", "missing"]

# program -> (Debian package, Homebrew formula)
RADIO: Mapping[str, tuple[str, str]] = {"espeak-ng": ("espeak-ng", "espeak-ng"), "ffmpeg": ("ffmpeg", "ffmpeg")}
# What the tests run besides Python: the radio's tools, the proxy, the browser, the PDF reader,
# the load generator of the benchmarks' smoke runs.
FOR_TESTS: Mapping[str, tuple[str, str]] = {
    **RADIO,
    "nginx": ("nginx", "nginx"),
    "chromium": ("chromium", "chromium"),
    "pdftotext": ("poppler-utils", "poppler"),
    "wrk": ("wrk", "wrk"),
}
# What WeasyPrint lays leaflets out with: shared library -> (Debian package, Homebrew formula).
PRINT_LIBRARIES: Mapping[str, tuple[str, str]] = {
    "libpangoft2-1.0": ("libpangoft2-1.0-0", "pango"),
    "libharfbuzz-subset": ("libharfbuzz-subset0", "harfbuzz"),
}


def missing(programs: Mapping[str, tuple[str, str]]) -> list[str]:
    return [program for program in programs if shutil.which(program) is None]


def install(programs: Mapping[str, tuple[str, str]]) -> list[str]:
    """Install what is missing if that can be done without asking; the programs still missing."""
    absent = missing(programs)
    if not absent:
        return []
    if shutil.which("apt-get") and os.geteuid() == 0:
        packages = sorted({programs[p][0] for p in absent})
        print(f"installing {', '.join(packages)} with apt-get…")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=False, env=env)
    elif shutil.which("brew"):
        formulas = sorted({programs[p][1] for p in absent})
        print(f"installing {', '.join(formulas)} with Homebrew…")
        subprocess.run(["brew", "install", *formulas], check=False)
    return missing(programs)


def _has_library(name: str) -> bool:
    found = (
        subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=False).stdout
        if shutil.which("ldconfig")
        else ""
    )
    return name in found


def install_libraries(libraries: Mapping[str, tuple[str, str]]) -> list[str]:
    """Install the shared libraries that are missing, as ``install`` does programs; those still missing."""
    absent = [name for name in libraries if not _has_library(name)]
    if absent and shutil.which("apt-get") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", *sorted({libraries[n][0] for n in absent})], check=False, env=env
        )
    elif absent and shutil.which("brew"):
        subprocess.run(["brew", "install", *sorted({libraries[n][1] for n in absent})], check=False)
    return [name for name in libraries if not _has_library(name)]


def main() -> int:
    """``python -m exemplars_tools.system_packages``: install what the tests need (``make test``)."""
    still = install(FOR_TESTS) + install_libraries(PRINT_LIBRARIES)
    if still:
        print(
            f"Not installed, and could not be installed here (not root, or no apt-get/Homebrew): {', '.join(still)}.\n"
            "The tests that need them will fail saying so. Debian/Ubuntu: sudo apt-get install "
            + " ".join(sorted({FOR_TESTS[p][0] if p in FOR_TESTS else PRINT_LIBRARIES[p][0] for p in still}))
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
