"""Programs the system runs that Python does not bring: found, installed where that needs no
questions (as root with apt-get, or with Homebrew), or explained."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping

__all__ = ["RADIO", "install", "missing"]

# program -> (Debian package, Homebrew formula)
RADIO: Mapping[str, tuple[str, str]] = {"espeak-ng": ("espeak-ng", "espeak-ng"), "ffmpeg": ("ffmpeg", "ffmpeg")}


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
