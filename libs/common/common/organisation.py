"""The organisation served: its units, emulation blocks (khối thi đua) and the units' public keys.

The organisation is configuration, not code: the 2025 reform merged districts into communes, so
the tree is read from a TOML file. The default file describes the former Lâm Thao district of
Phú Thọ province, the district whose plan the system was first set up for.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from common.events import nfc

__all__ = [
    "Block",
    "Organisation",
    "OrganisationError",
    "Unit",
    "UnitKey",
    "default_organisation_path",
    "dump_toml",
    "load_organisation",
]

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=300), AfterValidator(nfc)]


class OrganisationError(ValueError):
    """The organisation file cannot be used; the message says where and why."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UnitKey(_Model):
    """A public key a unit signs its submissions with; ``kid`` is the JWS key id."""

    kid: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:#-]{1,120}$")]
    public_key: Annotated[str, StringConstraints(pattern=r"-----BEGIN PUBLIC KEY-----")]


class Block(_Model):
    """An emulation block: units that emulate and are assessed together."""

    id: Slug
    name: Name


class Unit(_Model):
    """A unit that nominates exemplars: a commune, town, office or organisation."""

    id: Slug
    name: Name
    kind: Slug
    block: Slug
    keys: tuple[UnitKey, ...] = ()


class Organisation(_Model):
    id: Slug
    name: Name
    authority: Name = Field(description="who signs commendation decisions, e.g. UBND huyện Lâm Thao")
    signer_title: Name
    decision_suffix: Annotated[str, StringConstraints(pattern=r"^[A-Za-zĐđ0-9/-]{1,40}$")] = "QĐ-UBND"
    blocks: tuple[Block, ...]
    units: tuple[Unit, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Organisation:
        block_ids = [b.id for b in self.blocks]
        if len(set(block_ids)) != len(block_ids):
            raise ValueError("two blocks share an id")
        unit_ids = [u.id for u in self.units]
        if len(set(unit_ids)) != len(unit_ids):
            raise ValueError("two units share an id")
        for unit in self.units:
            if unit.block not in block_ids:
                raise ValueError(f"unit {unit.id} names unknown block {unit.block}")
        kids = [k.kid for u in self.units for k in u.keys]
        if len(set(kids)) != len(kids):
            raise ValueError("two unit keys share a kid")
        return self

    def unit(self, unit_id: str) -> Unit | None:
        return next((u for u in self.units if u.id == unit_id), None)

    def block(self, block_id: str) -> Block | None:
        return next((b for b in self.blocks if b.id == block_id), None)


def default_organisation_path() -> Path:
    """The organisation file shipped with the system: the Lâm Thao district plan."""
    return Path(str(resources.files("common").joinpath("data/organisation.lam-thao.toml")))


def load_organisation(path: str | Path) -> Organisation:
    """Read and check an organisation file, or raise OrganisationError saying what is wrong."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise OrganisationError(f"organisation file {path} does not exist") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise OrganisationError(f"organisation file {path} is not valid TOML: {error}") from error
    try:
        body = dict(raw.get("organisation", {}))
        body["blocks"] = raw.get("blocks", [])
        body["units"] = raw.get("units", [])
        return Organisation.model_validate(body)
    except ValueError as error:
        raise OrganisationError(f"organisation file {path}: {error}") from error


def _quote(value: str) -> str:
    if "\n" in value:
        return '"""\n' + value.replace("\\", "\\\\").replace('"""', '\\"""') + '"""'
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dump_toml(org: Organisation) -> str:
    """Write an organisation back as TOML (used when keys are added to a copy of it)."""
    lines = ["[organisation]"]
    for key in ("id", "name", "authority", "signer_title", "decision_suffix"):
        lines.append(f"{key} = {_quote(getattr(org, key))}")
    for block in org.blocks:
        lines += ["", "[[blocks]]", f"id = {_quote(block.id)}", f"name = {_quote(block.name)}"]
    for unit in org.units:
        lines += ["", "[[units]]"]
        for key in ("id", "name", "kind", "block"):
            lines.append(f"{key} = {_quote(getattr(unit, key))}")
        for k in unit.keys:
            lines += ["", "[[units.keys]]", f"kid = {_quote(k.kid)}", f"public_key = {_quote(k.public_key)}"]
    return "\n".join(lines) + "\n"
