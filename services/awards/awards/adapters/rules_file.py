"""Reading the reward rules file (TOML) into the pure rules, with a clear error when it is wrong."""

from __future__ import annotations

import tomllib
from dataclasses import fields
from decimal import Decimal
from importlib import resources
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from awards.domain.rewards import BaseSalary, Form, KindFactor, Multiplier, Requirement, RewardRules

__all__ = ["RulesFileError", "default_rules_path", "load_reward_rules"]


class RulesFileError(ValueError):
    """The rules file cannot be used; the message says where and why."""


def default_rules_path() -> Path:
    """The rules shipped with the service."""
    return Path(str(resources.files("awards").joinpath("data/reward_rules.toml")))


_LISTS: dict[str, type] = {
    "base_salaries": BaseSalary,
    "kind_factors": KindFactor,
    "forms": Form,
    "multipliers": Multiplier,
    "requires": Requirement,
}


def _unknown_keys(cls: type, table: dict[str, object], where: str) -> list[str]:
    """Keys the rules do not know (a misspelt ``verify`` must not pass unnoticed)."""
    known = {f.name for f in fields(cls)}
    found = [f"{where}{key}" for key in table if key not in known]
    for key, value in table.items():
        if key in _LISTS and isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    found += _unknown_keys(_LISTS[key], item, f"{where}{key}[{i}].")
    return found


def load_reward_rules(path: str | Path | None = None) -> RewardRules:
    path = Path(path) if path is not None else default_rules_path()
    try:
        # parse_float=Decimal: 0.3 in the file is exactly 3/10, never a binary float.
        raw = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except FileNotFoundError as error:
        raise RulesFileError(f"reward rules file {path} does not exist") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise RulesFileError(f"reward rules file {path} is not valid TOML: {error}") from error
    if unknown := _unknown_keys(RewardRules, raw, ""):
        raise RulesFileError(f"reward rules file {path}: unknown keys {', '.join(unknown)}")
    try:
        return TypeAdapter(RewardRules).validate_python(raw)
    except ValidationError as error:
        raise RulesFileError(f"reward rules file {path}: {error}") from error
