"""The registry of exemplars: one nominee across quarters, years, units and mergers; the reviewer's warnings."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, select

from common.consumer import Delivery, EntryHandler
from common.dates import previous_quarter, quarter_label
from common.db import Database, sync_url
from common.events import AwardGranted, NominationFlagged, NomineeKind, Reason, TitleRecorded, new_event
from common.migrations import alembic_config
from common.organisation import load_organisation
from common.wire import EVENT_FIELD
from exemplars_tools.state import StateFolder
from nomination.adapters.orm import nominations, registry_titles
from nomination.adapters.repository import NominationStore
from nomination.config import MIGRATIONS
from nomination.domain.registry import (
    Candidate,
    KnownNominee,
    Seen,
    one_edit_apart,
    recognise,
    registry_key,
    warnings,
)
from tests.helpers import open_quarter
from tests.nomination.support import processors, signed, stored_nomination
from tests.nomination.test_batches import outbox_events
from tests.nomination.test_intake import submission

NAMES = {
    "xa-cao-xa": "Xã Cao Xá",
    "xa-ban-nguyen": "Xã Bản Nguyên",
    "xa-ban-nguyen-hoi-phu-nu": "Hội Phụ nữ xã Bản Nguyên",
}


@pytest.mark.parametrize(
    "typed",
    [
        "Nguyễn Thị Hoa",
        "Nguyen Thi Hoa",
        "NGUYỄN THỊ HOA",
        "  Nguyễn   Thị\tHoa ",
        "Nguyễn\u200b Thị Hoa",
        "Nguye\u0303\u0302n Thi\u0323 Hoa",  # decomposed diacritics
        "Nguyễn\u00a0Thị\u2060Hoa\ufeff".replace("\u2060", " "),
    ],
)
def test_the_key_ignores_case_diacritics_spacing_and_invisible_characters(typed: str) -> None:
    assert registry_key(typed) == "nguyen thi hoa"


def test_d_with_stroke_is_d() -> None:
    assert registry_key("Đặng Văn Đức") == registry_key("Dang Van Duc") == "dang van duc"


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("nguyen thi hoa", "nguyen thi hoan", True),  # one added
        ("nguyen thi hoa", "nguyen th hoa", True),  # one dropped
        ("nguyen thi hoa", "nguyen thi hoe", True),  # one changed
        ("nguyen thi hoa", "nguyen thi hoa", False),  # the same is not "near"
        ("nguyen thi hoa", "nguyen thi hai", False),  # two changed
        ("le van tam", "le van tam an", False),
    ],
)
def test_one_letter_off(a: str, b: str, near: bool) -> None:
    assert one_edit_apart(a, b) is near
    assert one_edit_apart(b, a) is near


def seen(unit: str, quarter: str, name: str, *, born: int | None = None, identity: str | None = None) -> Seen:
    return Seen(uuid.uuid4(), unit, quarter, "approved", name, registry_key(name), born, identity)


def candidate(
    name: str,
    *,
    unit: str = "xa-ban-nguyen",
    born: int | None = None,
    identity: str | None = None,
    kind: str = "individual",
    area: frozenset[str] = frozenset({"xa-ban-nguyen", "xa-cao-xa"}),
) -> Candidate:
    return Candidate(uuid.uuid4(), kind, name, registry_key(name), born, identity, unit, "2026-Q3", area)


def test_recognition_by_identity_number_crosses_every_area() -> None:
    far = KnownNominee(
        uuid.uuid4(), "individual", [seen("xa-lam-thao", "2025-Q1", "Lê Văn Tám", identity="025080001234")]
    )
    found = recognise(candidate("Lê Tám", identity="025080001234"), [far])
    assert (found.known, found.by) == (far, "identity")


def test_a_name_alone_links_only_in_the_area_and_when_nothing_tells_them_apart() -> None:
    here = KnownNominee(uuid.uuid4(), "individual", [seen("xa-cao-xa", "2024-Q3", "Nguyễn Thị Hoa", born=1980)])
    far = KnownNominee(uuid.uuid4(), "individual", [seen("xa-lam-thao", "2024-Q3", "Nguyễn Thị Hoa", born=1980)])
    assert recognise(candidate("Nguyen Thi Hoa", born=1980), [here, far]).known is here
    assert recognise(candidate("Nguyen Thi Hoa"), [here, far]).known is here  # no birth year: nothing differs
    other_year = recognise(candidate("Nguyễn Thị Hoa", born=1992), [here])
    assert other_year.known is None and other_year.possible == ()
    other_id = recognise(
        candidate("Nguyễn Thị Hoa", identity="001192000001"),
        [
            KnownNominee(
                uuid.uuid4(), "individual", [seen("xa-cao-xa", "2024-Q3", "Nguyễn Thị Hoa", identity="025080001234")]
            )
        ],
    )
    assert other_id.known is None
    collective = recognise(candidate("Nguyễn Thị Hoa", kind="collective"), [here])
    assert collective.known is None


def test_two_known_nominees_with_the_name_are_offered_not_chosen() -> None:
    one = KnownNominee(uuid.uuid4(), "individual", [seen("xa-cao-xa", "2024-Q3", "Nguyễn Thị Hoa")])
    two = KnownNominee(uuid.uuid4(), "individual", [seen("xa-ban-nguyen", "2025-Q2", "Nguyễn Thị Hoa")])
    found = recognise(candidate("Nguyễn Thị Hoa"), [one, two])
    assert found.known is None
    assert [k.person_id for k in found.possible] == [one.person_id, two.person_id]


def test_a_name_one_letter_off_with_the_birth_year_is_a_possible_match() -> None:
    hoa = KnownNominee(uuid.uuid4(), "individual", [seen("xa-cao-xa", "2024-Q3", "Nguyễn Thị Hoà", born=1980)])
    near = recognise(candidate("Nguyễn Thị Hoan", born=1980), [hoa])
    assert near.known is None and near.possible == (hoa,)
    assert recognise(candidate("Nguyễn Thị Hoan", born=1981), [hoa]).possible == ()
    assert recognise(candidate("Nguyễn Thị Hoan"), [hoa]).possible == ()  # no birth year, no guess


def test_warnings_read_as_the_reviewer_needs_them() -> None:
    hoa = KnownNominee(
        uuid.uuid4(),
        "individual",
        [seen("xa-cao-xa", "2024-Q3", "Nguyễn Thị Hoa"), seen("xa-ban-nguyen-hoi-phu-nu", "2026-Q3", "Nguyễn Thị Hoa")],
    )
    new = candidate("Nguyen Thi Hoa")
    found = warnings(new, recognise(new, [hoa]), NAMES.__getitem__)
    assert found == [
        Reason(
            code="registry-same-quarter",
            message="Nguyễn Thị Hoa (trùng họ tên) cũng được Hội Phụ nữ xã Bản Nguyên giới thiệu"
            " trong quý III năm 2026",
        ),
        Reason(
            code="registry-known",
            message="đã có trong sổ theo dõi điển hình (trùng họ tên): Nguyễn Thị Hoa đã được giới thiệu 1 lần: "
            "quý III năm 2024, xã Cao Xá giới thiệu, được công nhận",
        ),
    ]


# --- through intake, on real databases -------------------------------------------------------


async def store(db: Database, *rows: dict[str, Any]) -> None:
    async with db.transaction() as conn:
        await conn.execute(nominations.insert(), list(rows))


async def person_of(db: Database, nomination_id: uuid.UUID) -> uuid.UUID:
    async with db.read() as conn:
        query = select(nominations.c.person_id).where(nominations.c.nomination_id == nomination_id)
        found = (await conn.execute(query)).scalar_one()
    assert isinstance(found, uuid.UUID)
    return found


def nominee(name: str, kind: str = "individual", **more: Any) -> dict[str, Any]:
    return {"kind": kind, "name": name, "title": "Nông dân", **more}


async def submit(intake: EntryHandler, state: Path, unit: str, who: dict[str, Any]) -> uuid.UUID:
    event_id, delivery = signed(state, submission(unit, nominee=who), unit)
    assert await intake([delivery]) == []
    return uuid.uuid5(uuid.NAMESPACE_URL, f"nomination:{event_id}")


async def flags(db: Database) -> dict[uuid.UUID, NominationFlagged]:
    return {
        e.payload.nomination_id: e.payload for e in await outbox_events(db) if isinstance(e.payload, NominationFlagged)
    }


async def test_the_same_person_across_two_years(intake: EntryHandler, db: Database, state: Path) -> None:
    earlier = stored_nomination("xa-ban-nguyen", "2025-Q2", "Lê Thị Mai", birth_year=1975, status="approved")
    await store(db, earlier)
    nomination_id = await submit(intake, state, "xa-ban-nguyen", nominee("Lê Thị Mai", birth_year=1975))
    assert await person_of(db, nomination_id) == earlier["person_id"]
    [warning] = (await flags(db))[nomination_id].warnings
    assert warning.code == "registry-known"
    assert "quý II năm 2025, xã Bản Nguyên giới thiệu, được công nhận" in warning.message


async def test_the_same_household_across_the_merger(intake: EntryHandler, db: Database, state: Path) -> None:
    # Cao Xá nominated the household in 2024; Cao Xá is part of Bản Nguyên since 2025-07-01.
    then = stored_nomination(
        "xa-cao-xa", "2024-Q3", "Hộ ông Lò Văn Páo", kind="household", submitted_at=datetime(2024, 8, 20, tzinfo=UTC)
    )
    await store(db, then)
    nomination_id = await submit(intake, state, "xa-ban-nguyen", nominee("Hộ ông Lò Văn Páo", "household"))
    assert await person_of(db, nomination_id) == then["person_id"]
    flagged = (await flags(db))[nomination_id]
    assert flagged.person_id == then["person_id"]
    assert "quý III năm 2024, xã Cao Xá giới thiệu, đang chờ xét duyệt" in flagged.warnings[0].message


async def test_typed_without_diacritics_or_with_a_zero_width_space(
    intake: EntryHandler, db: Database, state: Path
) -> None:
    earlier = stored_nomination("xa-ban-nguyen", "2025-Q4", "Nguyễn Thị Hoa")
    await store(db, earlier)
    plain = await submit(intake, state, "xa-ban-nguyen", nominee("Nguyen Thi Hoa"))
    hidden = await submit(intake, state, "xa-ban-nguyen-hoi-phu-nu", nominee("Nguyễn\u200b Thị Hoa"))
    assert await person_of(db, plain) == await person_of(db, hidden) == earlier["person_id"]
    codes = [w.code for w in (await flags(db))[hidden].warnings]
    assert codes == ["registry-same-quarter", "registry-known"]  # Bản Nguyên nominated her this quarter too


async def test_a_collective_known_under_its_predecessor(intake: EntryHandler, db: Database, state: Path) -> None:
    earlier = stored_nomination("xa-cao-xa", "2024-Q4", "Hợp tác xã Nông nghiệp Cao Xá", kind="collective")
    await store(db, earlier)
    nomination_id = await submit(
        intake, state, "xa-ban-nguyen-phong-kinh-te", nominee("HỢP TÁC XÃ NÔNG NGHIỆP CAO XÁ", "collective")
    )
    assert await person_of(db, nomination_id) == earlier["person_id"]


async def test_two_units_nominating_the_same_person_in_one_quarter_are_caught(
    intake: EntryHandler, db: Database, state: Path
) -> None:
    who = nominee("Trần Văn Sơn", identity_number="025090004567", birth_year=1990)
    first = await submit(intake, state, "xa-ban-nguyen", who)
    second = await submit(intake, state, "xa-lam-thao", {**who, "name": "Trần Văn Sơn (Sơn Vi)"})
    assert await person_of(db, first) == await person_of(db, second)
    found = await flags(db)
    assert first not in found  # nothing known of him then
    [warning] = found[second].warnings
    assert warning.code == "registry-same-quarter"
    assert warning.message == (
        "Trần Văn Sơn (trùng số định danh cá nhân) cũng được xã Bản Nguyên giới thiệu"
        f" trong {quarter_label(open_quarter())}"
    )


async def test_a_similar_name_is_a_warning_not_a_link(intake: EntryHandler, db: Database, state: Path) -> None:
    earlier = stored_nomination(
        "xa-cao-xa", previous_quarter(open_quarter()), "Phạm Thị Hoà", birth_year=1968, identity_number=None
    )
    await store(db, earlier)
    nomination_id = await submit(intake, state, "xa-ban-nguyen", nominee("Phạm Thị Hoài", birth_year=1968))
    elsewhere = await submit(intake, state, "xa-lam-thao", nominee("Phạm Thị Hoà", birth_year=1968))
    assert await person_of(db, nomination_id) != earlier["person_id"]
    flagged = (await flags(db))[nomination_id]
    assert flagged.possible_person_ids == [earlier["person_id"]]
    assert [w.code for w in flagged.warnings] == ["registry-possible-match"]
    assert "có thể là Phạm Thị Hoà, sinh năm 1968" in flagged.warnings[0].message
    # Lâm Thao is another area: the same name there is someone else, and nobody is warned.
    assert await person_of(db, elsewhere) not in {earlier["person_id"], await person_of(db, nomination_id)}
    assert elsewhere not in await flags(db)


def test_the_migration_links_earlier_nominations(db_url: str) -> None:
    config = alembic_config(MIGRATIONS, db_url)
    command.upgrade(config, "0004")
    old = [
        stored_nomination("xa-cao-xa", "2024-Q3", "Nguyễn Thị Hoa", birth_year=1980),
        stored_nomination("xa-ban-nguyen", "2025-Q3", "NGUYEN THI HOA", birth_year=1980),
        stored_nomination("xa-lam-thao", "2025-Q3", "Lê Văn Tám", identity_number="025080001234"),
        stored_nomination("xa-lam-thao", "2025-Q4", "Lê Tám", identity_number="025080001234"),
        stored_nomination("xa-lam-thao", "2025-Q4", "Nguyễn Thị Hoa", birth_year=1991),
    ]
    columns = ("person_id", "registry_key", "registry_warnings", "notes")  # not in the 0004 schema
    engine = create_engine(sync_url(db_url))
    with engine.begin() as conn:
        conn.execute(nominations.insert(), [{k: v for k, v in row.items() if k not in columns} for row in old])
    command.upgrade(config, "head")
    with engine.connect() as conn:
        rows = conn.execute(select(nominations.c.nomination_id, nominations.c.person_id, nominations.c.registry_key))
        found = {row.nomination_id: (row.person_id, row.registry_key) for row in rows}
    engine.dispose()
    people = [found[row["nomination_id"]][0] for row in old]
    assert people[0] == people[1] and people[2] == people[3]
    assert len(set(people)) == 3
    assert found[old[1]["nomination_id"]][1] == "nguyen thi hoa"
    command.downgrade(config, "0004")
    command.upgrade(config, "head")


# --- what the nominees received --------------------------------------------------------------


def awards_delivery(payload: AwardGranted | TitleRecorded) -> Delivery:
    event = new_event(payload, producer="awards")
    return Delivery(
        stream=payload.STREAM,
        group="nomination",
        entry_id=f"{time.time_ns() // 1_000_000}-0",
        fields={EVENT_FIELD: event.envelope.model_dump_json().encode()},
    )


def award_for(nomination_id: uuid.UUID, form: str = "lao-dong-tien-tien") -> AwardGranted:
    return AwardGranted(
        award_id=uuid.uuid4(),
        exemplar_id=uuid.uuid4(),
        nomination_id=nomination_id,
        form=form,
        form_name="Lao động tiên tiến",
        decision_number="12/QĐ-UBND",
        signed_on=date(2026, 12, 1),
        signer="Chủ tịch Ủy ban nhân dân xã Bản Nguyên",
        recipient_name="Lê Thị Mai",
        recipient_kind=NomineeKind.INDIVIDUAL,
        amount_vnd=760_000,
        year=2026,
    )


async def test_the_registry_keeps_what_each_nominee_received(db: Database, state: Path) -> None:
    titles = processors(db, load_organisation(StateFolder(state).organisation))["awards.events"]
    row = stored_nomination("xa-ban-nguyen", "2026-Q3", "Lê Thị Mai", status="approved")
    await store(db, row)
    person = row["person_id"]
    award = award_for(row["nomination_id"])
    earlier = TitleRecorded(
        title_id=uuid.uuid4(),
        person_id=person,
        form="chien-si-thi-dua-co-so",
        form_name="Chiến sĩ thi đua cơ sở",
        year=2024,
        decision_number="45/QĐ-UBND",
        signed_on=date(2024, 12, 25),
        authority_name="Ủy ban nhân dân huyện Lâm Thao",
        recorded_by="Trần Văn Bình",
    )
    assert await titles([awards_delivery(award), awards_delivery(earlier)]) == []
    assert await titles([awards_delivery(award)]) == []  # the same award again (a new event id): kept once
    async with db.read() as conn:
        kept = await NominationStore(conn).titles_of(person)
    assert [(t.form, t.year, t.recorded, t.granted_by) for t in kept] == [
        ("chien-si-thi-dua-co-so", 2024, True, "Ủy ban nhân dân huyện Lâm Thao"),
        ("lao-dong-tien-tien", 2026, False, "Chủ tịch Ủy ban nhân dân xã Bản Nguyên"),
    ]
    assert kept[1].nomination_id == row["nomination_id"] and kept[1].amount_vnd == 760_000
    # An award for a nomination nobody here knows is a dead letter, with its reason.
    [refused] = await titles([awards_delivery(award_for(uuid.uuid4()))])
    assert refused.error.code == "unknown-nomination"


async def test_an_award_for_a_nomination_from_before_the_registry_is_let_pass(db: Database, state: Path) -> None:
    titles = processors(db, load_organisation(StateFolder(state).organisation))["awards.events"]
    row = stored_nomination("xa-ban-nguyen", "2025-Q1", "Lê Văn Tám", person_id=None)
    await store(db, row)
    assert await titles([awards_delivery(award_for(row["nomination_id"]))]) == []  # no dead letter
    async with db.read() as conn:
        assert (await conn.execute(select(registry_titles.c.entry_id))).all() == []
