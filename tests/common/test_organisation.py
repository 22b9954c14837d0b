"""The organisation file: the shipped Lâm Thao configuration and the checks on any other."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from common.organisation import OrganisationError, default_organisation_path, dump_toml, load_organisation
from exemplars_tools.cli import setup_state
from exemplars_tools.state import StateFolder


def test_default_describes_the_lam_thao_plan() -> None:
    org = load_organisation(default_organisation_path())
    assert org.name == "Huyện Lâm Thao, tỉnh Phú Thọ"
    names = {u.name for u in org.units}
    assert {"Thị trấn Hùng Sơn", "Thị trấn Lâm Thao", "Xã Bản Nguyên", "Xã Xuân Lũng", "Phòng Nội vụ huyện"} <= names
    assert len([u for u in org.units if u.kind in {"commune", "town"}]) == 12
    assert all(unicodedata.is_normalized("NFC", u.name) for u in org.units)
    assert {u.block for u in org.units} == {b.id for b in org.blocks}


def test_setup_adds_a_key_per_unit_and_keeps_it(tmp_path: Path) -> None:
    first = setup_state(tmp_path)
    assert all(len(u.keys) == 1 for u in first.units)
    assert (tmp_path / "unit-keys" / "xa-ban-nguyen.pem").stat().st_mode & 0o077 == 0
    secret = StateFolder(tmp_path).auth_secret.read_text()
    again = setup_state(tmp_path)
    assert again == first
    assert StateFolder(tmp_path).auth_secret.read_text() == secret
    assert load_organisation(StateFolder(tmp_path).organisation) == first


def test_dump_round_trips(tmp_path: Path) -> None:
    org = load_organisation(default_organisation_path())
    path = tmp_path / "copy.toml"
    path.write_text(dump_toml(org), encoding="utf-8")
    assert load_organisation(path) == org


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not = [toml", "not valid TOML"),
        (
            '[organisation]\nid="x"\nname="X"\nauthority="A"\nsigner_title="S"\n'
            '[[blocks]]\nid="b"\nname="B"\n[[units]]\nid="u"\nname="U"\nkind="commune"\nblock="nope"\n',
            "unknown block",
        ),
        (
            '[organisation]\nid="x"\nname="X"\nauthority="A"\nsigner_title="S"\n'
            '[[blocks]]\nid="b"\nname="B"\n[[units]]\nid="u"\nname="U"\nkind="c"\nblock="b"\n'
            '[[units]]\nid="u"\nname="U2"\nkind="c"\nblock="b"\n',
            "two units share an id",
        ),
    ],
)
def test_bad_files_say_why(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "org.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OrganisationError, match=expected):
        load_organisation(path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(OrganisationError, match="does not exist"):
        load_organisation(tmp_path / "absent.toml")
