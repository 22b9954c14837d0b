"""The organisation file: the shipped Phú Thọ configuration, its history, and the checks on any other."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest

from common.organisation import (
    Level,
    OrganisationError,
    default_organisation_path,
    load_organisation,
    lower_kind_word,
)
from exemplars_tools.cli import setup_state
from exemplars_tools.state import StateFolder

BEFORE, AFTER = date(2025, 6, 30), date(2025, 7, 1)


def test_default_describes_today_and_the_district_era() -> None:
    org = load_organisation(default_organisation_path())
    assert org.name == "Tỉnh Phú Thọ (địa bàn huyện Lâm Thao cũ)"
    communes_then = [u for u in org.units if u.kind in {"commune", "town"} and u.valid_on(BEFORE)]
    communes_now = [u for u in org.units if u.kind == "commune" and u.valid_on(AFTER)]
    assert len(communes_then) == 12
    assert sorted(u.name for u in communes_now) == ["Xã Bản Nguyên", "Xã Lâm Thao", "Xã Phùng Nguyên", "Xã Xuân Lũng"]
    assert not [u for u in org.units if u.level is Level.DISTRICT and u.valid_on(AFTER)]
    assert len([b for b in org.blocks if b.valid_on(BEFORE)]) == 4
    assert all(unicodedata.is_normalized("NFC", u.name) for u in org.units)
    # Each new commune has its offices and its Front and mass organisations.
    assert len([u for u in org.units if u.valid_on(AFTER) and u.authority == "ubnd-xa-ban-nguyen"]) == 9


@pytest.mark.parametrize(
    ("successor", "predecessors"),
    [
        ("xa-lam-thao", {"tt-hung-son", "tt-lam-thao", "xa-thach-son"}),
        ("xa-xuan-lung", {"xa-tien-kien", "xa-xuan-huy", "xa-xuan-lung"}),
        ("xa-phung-nguyen", {"xa-tu-xa", "xa-son-vi", "xa-phung-nguyen"}),
        ("xa-ban-nguyen", {"xa-cao-xa", "xa-vinh-lai", "xa-ban-nguyen"}),
    ],
)
def test_each_new_commune_is_linked_to_the_three_it_was_formed_from(successor: str, predecessors: set[str]) -> None:
    org = load_organisation(default_organisation_path())
    assert set(org.lineage(successor)) == predecessors | {successor}
    for old in predecessors - {successor}:
        standing = org.standing(old, AFTER)
        assert standing.unit is None and standing.ended is not None
        assert [u.id for u in standing.successors] == [successor]
        assert org.standing(old, BEFORE).unit is not None


def test_a_unit_that_kept_its_id_is_one_unit_with_two_versions() -> None:
    org = load_organisation(default_organisation_path())
    then, now = org.unit_on("xa-ban-nguyen", BEFORE), org.unit_on("xa-ban-nguyen", AFTER)
    assert then is not None and now is not None
    assert (then.block, then.authority) == ("khoi-xa-thi-tran-2", "ubnd-huyen-lam-thao")
    assert (now.block, now.authority) == ("cum-xa-lam-thao", "ubnd-xa-ban-nguyen")
    assert org.unit("xa-ban-nguyen") == now


def test_the_authority_of_a_unit_depends_on_the_day() -> None:
    org = load_organisation(default_organisation_path())
    then = org.authority_of("xa-cao-xa", BEFORE)
    now = org.authority_of("xa-ban-nguyen", date(2026, 9, 15))
    assert then is not None and then.signer_title == "Chủ tịch Ủy ban nhân dân huyện Lâm Thao"
    assert now is not None and now.signer_title == "Chủ tịch Ủy ban nhân dân xã Bản Nguyên"
    assert org.authority_of("xa-cao-xa", AFTER) is None  # ended: its successors' authority commends
    assert now.may_grant("giay-khen", date(2026, 9, 15)) and not now.may_grant("bang-khen-ubnd-tinh", AFTER)
    province = org.authority("ubnd-tinh-phu-tho")
    assert province is not None and province.may_grant("bang-khen-ubnd-tinh", AFTER)


def test_a_district_office_passes_its_records_to_the_four_communes() -> None:
    org = load_organisation(default_organisation_path())
    successors = {u.id for u in org.successors_on("hoi-lhpn-huyen", AFTER)}
    assert successors == {
        f"{c}-hoi-phu-nu" for c in ("xa-lam-thao", "xa-xuan-lung", "xa-phung-nguyen", "xa-ban-nguyen")
    }
    assert org.successors_on("ban-tuyen-giao-huyen-uy", AFTER) == ()


def test_unit_names_inside_a_sentence() -> None:
    assert lower_kind_word("Xã Cao Xá") == "xã Cao Xá"
    assert lower_kind_word("Thị trấn Hùng Sơn") == "thị trấn Hùng Sơn"
    assert lower_kind_word("Hội Nông dân xã Bản Nguyên") == "Hội Nông dân xã Bản Nguyên"
    assert lower_kind_word("Huyện đoàn Lâm Thao") == "Huyện đoàn Lâm Thao"


def test_setup_adds_a_key_per_unit_keeps_it_and_keeps_the_file_s_comments(tmp_path: Path) -> None:
    first = setup_state(tmp_path)
    assert all(len(first.keys_of(u)) == 1 for u in first.unit_ids)
    assert (tmp_path / "unit-keys" / "xa-ban-nguyen.pem").stat().st_mode & 0o077 == 0
    secret = StateFolder(tmp_path).auth_secret.read_text()
    again = setup_state(tmp_path)
    assert again == first
    assert StateFolder(tmp_path).auth_secret.read_text() == secret
    text = StateFolder(tmp_path).organisation.read_text(encoding="utf-8")
    assert "# What the units of the district era became on 2025-07-01." in text
    assert load_organisation(StateFolder(tmp_path).organisation) == first


HEAD = '[organisation]\nid="x"\nname="X"\n[[blocks]]\nid="b"\nname="B"\n'
AUTHORITY = '[[authorities]]\nid="a"\nname="A"\nshort_name="A"\nlevel="commune"\nsigner_title="S"\n'


def unit(unit_id: str, *, block: str = "b", extra: str = "") -> str:
    return (
        f'[[units]]\nid="{unit_id}"\nname="U"\nkind="commune"\nlevel="commune"\nblock="{block}"\nauthority="a"\n{extra}'
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not = [toml", "not valid TOML"),
        (HEAD + AUTHORITY + unit("u", block="nope"), r"line 13, \[\[units\]\] #1 \(u\): block nope is not one of"),
        (HEAD + AUTHORITY + unit("u") + unit("u"), r"line 20, \[\[units\]\] #2 \(u\): its dates overlap"),
        (
            HEAD + AUTHORITY + unit("u", extra="until=2025-06-30\n") + unit("u", extra="from=2025-07-01\n"),
            r"^(?!.*overlap)",
        ),
        (HEAD + AUTHORITY + unit("Xã U"), r"line 13, \[\[units\]\] #1: id: String should match pattern"),
        (
            HEAD + AUTHORITY + unit("u") + '[[changes]]\ndate=2025-07-01\nkind="merger"\nfrom=["u"]\nto=["v"]\n',
            r"line 20, \[\[changes\]\] #1 \(2025-07-01\): unit v is not one of",
        ),
        (
            HEAD
            + AUTHORITY
            + unit("u")
            + unit("v", extra="from=2025-07-01\n")
            + '[[changes]]\ndate=2025-07-01\nkind="merger"\nfrom=["u"]\nto=["v"]\n',
            r"u became another unit on 2025-07-01 but has a version valid from then",
        ),
    ],
)
def test_bad_files_name_the_line_and_say_why(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "org.toml"
    path.write_text(text, encoding="utf-8")
    if expected.startswith("^(?!"):
        load_organisation(path)  # consecutive versions of one unit are fine
        return
    with pytest.raises(OrganisationError, match=expected):
        load_organisation(path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(OrganisationError, match="does not exist"):
        load_organisation(tmp_path / "absent.toml")
