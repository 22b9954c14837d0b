"""The organisation served, with its history: units, emulation blocks, authorities and changes.

The organisation is data, not code: the 2025 reform abolished the district level, merged communes
and moved the power to commend from the district to the commune. So every part of the tree has
dates (``from``, ``until``, both inclusive, either left open), and the changes between one
arrangement and the next are links from predecessor to successor units, with the day the new
arrangement began. Every rule asks the organisation "as of which date".

- A **unit** nominates exemplars: a commune, ward, town, office, mass organisation or collective.
  One unit id may have several versions with consecutive dates: a commune that absorbed its
  neighbours and kept its id (and with it its key, its Redis user and its records) has one version
  before the merger and one after. Whether a successor keeps a predecessor's id or gets a new one
  is the operator's choice (``docs/operating.md``, "The organisation file").
- An **authority** (the People's Committee of a commune, say) commends the exemplars of the units
  that name it, under its signer's title, in its own decision register, and only with the forms it
  may grant on the signing date.
- A **change** says which units the units that ended on the day before became: a merger (several
  into one), a split (one into several), a rename or a transfer.

The default file describes today: Phú Thọ province after 2025-07-01, with the four communes the
former Lâm Thao district became, and the district era, valid until 2025-06-30, linked to them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from common.datafile import DataFileError, load_toml, where
from common.events import nfc

__all__ = [
    "Authority",
    "Block",
    "Change",
    "ChangeKind",
    "Grant",
    "Level",
    "Numbering",
    "Organisation",
    "OrganisationError",
    "Standing",
    "Unit",
    "UnitKey",
    "default_organisation_path",
    "load_organisation",
    "lower_kind_word",
    "proposer_of",
]

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=300), AfterValidator(nfc)]


class OrganisationError(DataFileError):
    """The organisation file cannot be used; the message says where (file and line) and why."""


class Level(StrEnum):
    """Where in the administration a unit or an authority sits."""

    PROVINCE = "province"
    DISTRICT = "district"  # none since 2025-07-01
    COMMUNE = "commune"  # communes, wards and (before 2025-07-01) towns


class ChangeKind(StrEnum):
    MERGER = "merger"
    SPLIT = "split"
    RENAME = "rename"
    TRANSFER = "transfer"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class _Dated(_Model):
    """Valid from ``from`` to ``until``, both days included; an open end is None."""

    valid_from: date | None = Field(default=None, alias="from")
    valid_until: date | None = Field(default=None, alias="until")

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )

    def _overlaps(self, other: _Dated) -> bool:
        starts_before_other_ends = (
            self.valid_from is None or other.valid_until is None or (self.valid_from <= other.valid_until)
        )
        ends_after_other_starts = (
            self.valid_until is None or other.valid_from is None or (other.valid_from <= self.valid_until)
        )
        return starts_before_other_ends and ends_after_other_starts


class UnitKey(_Model):
    """A public key a unit signs its submissions with; ``kid`` is the JWS key id."""

    kid: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:#-]{1,120}$")]
    public_key: Annotated[str, StringConstraints(pattern=r"-----BEGIN PUBLIC KEY-----")]


class Block(_Dated):
    """An emulation block (khối or cụm thi đua): units that emulate and are assessed together."""

    id: Slug
    name: Name


class Grant(_Dated):
    """A form or title (an id of the reward rules) an authority may grant while the grant is valid."""

    form: Slug
    basis: Name | None = Field(default=None, description="the legal basis of the power to grant")


class Numbering(StrEnum):
    """Who gives a decision its number (Decree 30/2020/NĐ-CP, art. 15)."""

    GENERATED = "generated"  # this system keeps the authority's register and numbers at signing
    ENTERED = "entered"  # the authority's document office numbers in its own register; entered at signing


class Authority(_Dated):
    """Who signs commendation decisions: e.g. the People's Committee of Bản Nguyên commune.

    Its decisions have their own register: numbered per calendar year from 01, in signing order.
    """

    id: Slug
    name: Name = Field(description="spelled out, as at first mention: Ủy ban nhân dân xã Bản Nguyên")
    short_name: Name = Field(description="as in later mentions and in decision headers: UBND xã Bản Nguyên")
    level: Level
    signer_title: Name = Field(description="Chủ tịch Ủy ban nhân dân xã Bản Nguyên")
    decision_suffix: Annotated[str, StringConstraints(pattern=r"^[A-Za-zĐđ0-9/-]{1,40}$")] = "QĐ-UBND"
    numbering: Numbering = Numbering.GENERATED
    grants: tuple[Grant, ...] = ()

    def may_grant(self, form: str, day: date) -> bool:
        return any(g.form == form and g.valid_on(day) for g in self.grants)


class Unit(_Dated):
    """One version of a unit: what it was called, where it sat and who commended it, for a period."""

    id: Slug
    name: Name = Field(description="with its kind word, capitalised as a heading: Xã Bản Nguyên")
    kind: Slug = Field(description="commune, ward, town, office, party, front, mass-organisation, collective")
    level: Level
    block: Slug
    authority: Slug = Field(description="the authority that commends this unit's exemplars")
    keys: tuple[UnitKey, ...] = ()


class Change(_Model):
    """On ``date`` the units ``from`` became the units ``to`` (a unit in both continued)."""

    date: date
    kind: ChangeKind
    from_: tuple[Slug, ...] = Field(alias="from", min_length=1)
    to: tuple[Slug, ...] = Field(min_length=1)
    basis: Name | None = Field(default=None, description="the resolution or decision that made the change")


@dataclass(frozen=True)
class Standing:
    """What a unit id is on a day: its version then, or why there is none and who took over."""

    unit: Unit | None  # the version valid on the day
    known: bool  # the id is in the file at all
    ended: Unit | None = None  # the last version, when the unit had ended by the day
    successors: tuple[Unit, ...] = ()  # the units valid on the day that took its place


class Organisation(_Model):
    id: Slug
    name: Name
    blocks: tuple[Block, ...]
    authorities: tuple[Authority, ...]
    units: tuple[Unit, ...]
    changes: tuple[Change, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Organisation:
        problems = list(self._problems())
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _problems(self) -> Iterable[str]:
        for section, ids in (
            ("blocks", [b.id for b in self.blocks]),
            ("authorities", [a.id for a in self.authorities]),
        ):
            for i, item_id in enumerate(ids):
                if item_id in ids[:i]:
                    yield f"{where(section, i)}: two {section} share the id {item_id}"
        dated_sections: tuple[tuple[str, Sequence[_Dated]], ...] = (
            ("blocks", self.blocks),
            ("authorities", self.authorities),
            ("units", self.units),
        )
        for section, items in dated_sections:
            for i, dated in enumerate(items):
                if dated.valid_from and dated.valid_until and dated.valid_until < dated.valid_from:
                    yield f"{where(section, i)}: until {dated.valid_until} is before from {dated.valid_from}"
        blocks = {b.id for b in self.blocks}
        authorities = {a.id: a for a in self.authorities}
        for i, unit in enumerate(self.units):
            here = f"{where('units', i)} ({unit.id})"
            if unit.block not in blocks:
                yield f"{here}: block {unit.block} is not one of the [[blocks]]"
            if unit.authority not in authorities:
                yield f"{here}: authority {unit.authority} is not one of the [[authorities]]"
            for j, other in enumerate(self.units[:i]):
                if other.id == unit.id and other._overlaps(unit):
                    yield f"{here}: its dates overlap those of {where('units', j)}, another version of {unit.id}"
        kids = [k.kid for u in self.units for k in u.keys]
        for kid in sorted({k for k in kids if kids.count(k) > 1}):
            yield f"two unit keys share the kid {kid}"
        unit_ids = {u.id for u in self.units}
        for i, change in enumerate(self.changes):
            here = f"{where('changes', i)} ({change.date})"
            for unit_id in (*change.from_, *change.to):
                if unit_id not in unit_ids:
                    yield f"{here}: unit {unit_id} is not one of the [[units]]"
            for unit_id in set(change.from_) - set(change.to):
                if unit_id in unit_ids and any(self._versions(unit_id, on_or_after=change.date)):
                    yield f"{here}: {unit_id} became another unit on {change.date} but has a version valid from then"
            for unit_id in change.to:
                if unit_id in unit_ids and self.unit_on(unit_id, change.date) is None:
                    yield f"{here}: {unit_id} has no version valid on {change.date}, the day the change took effect"

    def _versions(self, unit_id: str, *, on_or_after: date) -> Iterable[Unit]:
        return (u for u in self.versions(unit_id) if u.valid_until is None or u.valid_until >= on_or_after)

    # -- questions the services ask -------------------------------------------------------------

    @property
    def unit_ids(self) -> tuple[str, ...]:
        """Every unit id, once, in the order of the file."""
        return tuple(dict.fromkeys(u.id for u in self.units))

    def versions(self, unit_id: str) -> tuple[Unit, ...]:
        """Every version of a unit, in the order of the file; none for an unknown id."""
        return tuple(u for u in self.units if u.id == unit_id)

    def unit(self, unit_id: str) -> Unit | None:
        """The latest version of a unit (for its name and keys), whatever the day."""
        versions = self.versions(unit_id)
        return max(versions, key=lambda u: u.valid_from or date.min) if versions else None

    def name_of(self, unit_id: str) -> str:
        """The unit's latest name, or its id when the file does not know it (a record of a removed unit)."""
        unit = self.unit(unit_id)
        return unit.name if unit else unit_id

    def unit_on(self, unit_id: str, day: date) -> Unit | None:
        return next((u for u in self.versions(unit_id) if u.valid_on(day)), None)

    def keys_of(self, unit_id: str) -> tuple[UnitKey, ...]:
        return tuple(k for u in self.versions(unit_id) for k in u.keys)

    def block(self, block_id: str) -> Block | None:
        return next((b for b in self.blocks if b.id == block_id), None)

    def authority(self, authority_id: str) -> Authority | None:
        return next((a for a in self.authorities if a.id == authority_id), None)

    def authority_of(self, unit_id: str, day: date) -> Authority | None:
        """The authority that commends the unit's exemplars on ``day``, if both were valid then."""
        unit = self.unit_on(unit_id, day)
        authority = self.authority(unit.authority) if unit else None
        return authority if authority is not None and authority.valid_on(day) else None

    def standing(self, unit_id: str, day: date) -> Standing:
        """The unit on ``day``; if it had ended, its last version and the units that took over."""
        versions = self.versions(unit_id)
        if not versions:
            return Standing(unit=None, known=False)
        current = next((u for u in versions if u.valid_on(day)), None)
        if current is not None:
            return Standing(unit=current, known=True)
        ended = [u for u in versions if u.valid_until is not None and u.valid_until < day]
        if not ended:
            return Standing(unit=None, known=True)  # not yet in being
        return Standing(
            unit=None,
            known=True,
            ended=max(ended, key=lambda u: u.valid_until or date.min),
            successors=self.successors_on(unit_id, day),
        )

    def successors_on(self, unit_id: str, day: date) -> tuple[Unit, ...]:
        """The units valid on ``day`` that an ended unit's changes lead to."""
        found: dict[str, Unit] = {}
        frontier, seen = [unit_id], {unit_id}
        while frontier:
            current = frontier.pop()
            for change in self.changes:
                if current not in change.from_ or change.date > day:
                    continue
                for successor in change.to:
                    if successor in seen:
                        continue
                    seen.add(successor)
                    version = self.unit_on(successor, day)
                    if version is not None:
                        found[successor] = version
                    else:
                        frontier.append(successor)
        return tuple(found.values())

    def neighbourhood(self, unit_id: str, day: date) -> frozenset[str]:
        """The units whose records may concern the same people: the unit's lineage, and every unit
        commended by the same authority on ``day``, with theirs (a commune and its offices and
        mass organisations, and the communes and bodies they were formed from)."""
        authority = self.authority_of(unit_id, day)
        related = {unit_id}
        if authority is not None:
            related.update(u.id for u in self.units if u.authority == authority.id and u.valid_on(day))
        return frozenset(p for u in related for p in self.lineage(u))

    def is_commune(self, unit_id: str) -> bool:
        """Whether the unit is (or was) a commune, ward or town: one with a radio of its own."""
        return any(u.kind in _COMMUNE_KINDS for u in self.versions(unit_id))

    def communes_on(self, day: date) -> tuple[Unit, ...]:
        """The communes, wards and towns in being on ``day``, in the file's order."""
        return tuple(u for u in self.units if u.kind in _COMMUNE_KINDS and u.valid_on(day))

    def commune_of(self, unit_id: str, day: date) -> Unit | None:
        """The commune or ward a unit belongs to on ``day``: the one its authority governs (a commune's
        office belongs to the commune; an ended unit to its successors' commune, where they share one)."""
        unit = self.unit_on(unit_id, day)
        if unit is not None and unit.kind in _COMMUNE_KINDS:
            return unit
        units = [unit] if unit is not None else list(self.successors_on(unit_id, day))
        authorities = {u.authority for u in units}
        communes = [
            u for u in self.units if u.authority in authorities and u.kind in _COMMUNE_KINDS and u.valid_on(day)
        ]
        return communes[0] if len(communes) == 1 else None

    def in_being_during(self, unit_id: str, first: date, last: date) -> bool:
        """Whether the unit, or one it was formed from, existed on some day from ``first`` to ``last``."""
        span = _Dated.model_validate({"from": first, "until": last})
        return any(v._overlaps(span) for u in self.lineage(unit_id) for v in self.versions(u))

    def rolled_up(self, unit_id: str, *, lineage: bool) -> tuple[str, ...]:
        """The units a list for ``unit_id`` shows: the unit alone, or with every unit that became it."""
        return self.lineage(unit_id) if lineage else (unit_id,)

    def lineage(self, unit_id: str) -> tuple[str, ...]:
        """The unit and every unit that became it, directly or through others: whose records it sees."""
        found = [unit_id]
        for current in found:
            for change in self.changes:
                if current in change.to:
                    found += [p for p in change.from_ if p not in found]
        return tuple(found)


_COMMUNE_KINDS = ("commune", "ward", "town", "special-zone")

# The kind words of administrative units, lower-case inside a sentence (Decree 30/2020/NĐ-CP,
# appendix II): "xã Bản Nguyên", "tỉnh Phú Thọ". An agency or an organisation keeps its capital
# ("Phòng Kinh tế xã Bản Nguyên", "Hội Nông dân xã Bản Nguyên").
_ADMINISTRATIVE = ("Xã ", "Phường ", "Thị trấn ", "Thị xã ", "Huyện ", "Quận ", "Thành phố ", "Tỉnh ", "Đặc khu ")


def lower_kind_word(name: str) -> str:
    """A unit's name inside a sentence: ``Xã Bản Nguyên`` → ``xã Bản Nguyên``; an agency is unchanged."""
    for word in _ADMINISTRATIVE:
        if name.startswith(word) and not name.startswith("Huyện đoàn"):
            return word.lower() + name[len(word) :]
    return name


def proposer_of(unit_name: str) -> str:
    """Who proposes a unit's exemplars, spelled out as at first mention.

    A commune does not propose, its People's Committee does: ``Xã Bản Nguyên`` → "Ủy ban nhân
    dân xã Bản Nguyên". An agency or an organisation proposes under its own name ("Hội Phụ nữ
    xã Bản Nguyên").
    """
    in_sentence = lower_kind_word(unit_name)
    return unit_name if in_sentence == unit_name else f"Ủy ban nhân dân {in_sentence}"


def default_organisation_path() -> Path:
    """The organisation file shipped with the system: Phú Thọ, the former Lâm Thao district."""
    return Path(str(resources.files("common").joinpath("data/organisation.phu-tho.toml")))


def load_organisation(path: str | Path) -> Organisation:
    """Read and check an organisation file, or raise OrganisationError naming the line and the fault."""

    def body(raw: dict[str, Any]) -> dict[str, Any]:
        shaped = dict(raw.get("organisation", {}))
        for section in ("blocks", "authorities", "units", "changes"):
            shaped[section] = raw.get(section, [])
        return shaped

    return load_toml(path, Organisation, what="organisation file", body=body, error=OrganisationError)
