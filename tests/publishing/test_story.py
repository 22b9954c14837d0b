"""Unit tests of the pure parts: Vietnamese labels, slugs, the drafted text, its HTML and the Atom document."""

from __future__ import annotations

import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from common.events import FieldOfWork, NomineeKind
from common.labels import FIELD_LABELS, quarter_label, vn_date
from publishing.channels.atom import ATOM_NS, build_feed
from publishing.channels.html import render_body, render_story_page
from publishing.domain.model import (
    Commendation,
    Correction,
    CorrectionNeedsNote,
    NoConsent,
    NotEditable,
    Placement,
    Story,
    StoryStatus,
    StoryTakenDown,
    slug_for,
    story_id_for,
)
from tests.publishing.builders import BASE, SITE, approved, drafted

A = f"{{{ATOM_NS}}}"
NOW = datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_story_is_nfc_even_when_the_event_text_was_decomposed() -> None:
    payload = approved(name=nfd("Nguyễn Thị Hoa"), achievements=nfd("Vận động bà con trồng lúa hữu cơ.")).payload
    # The contract already normalises; feed the renderer decomposed text directly as well.
    story = drafted(payload.model_copy(update={"nominee_name": nfd("Nguyễn Thị Hoa")}), NOW)
    for text in (story.title, story.summary, story.body):
        assert unicodedata.is_normalized("NFC", text)
    assert story.title == "Gương điển hình tiên tiến: Nguyễn Thị Hoa"
    assert "Vận động bà con trồng lúa hữu cơ." in story.body


def test_body_is_plain_text_saying_unit_field_kind_quarter_achievements_and_the_closing_call() -> None:
    story = drafted(approved().payload, NOW)
    assert story.paragraphs == [
        "Quý IV năm 2026, cá nhân Nguyễn Thị Hoa, Trưởng trạm Y tế xã, xã Lâm Thao, đã được công nhận là "
        "gương điển hình tiên tiến trong lĩnh vực y tế.",
        "Mười năm liền đưa y tế đến từng thôn.",
        "Tổ chức 40 buổi khám miễn phí cho người cao tuổi.",
        # A commune does not propose; its People's Committee does, spelled out at first mention.
        "Với những thành tích trên, Nguyễn Thị Hoa đã được Ủy ban nhân dân xã Lâm Thao giới thiệu và được "
        "xét chọn là một trong những gương điển hình tiên tiến tiêu biểu quý IV năm 2026.",
        story.paragraphs[-1],
    ]
    assert "học tập, làm theo" in story.paragraphs[-1]
    assert "<" not in story.body and ">" not in story.body
    assert story.achievements == approved().payload.achievements
    assert story.summary == (
        "Cá nhân Nguyễn Thị Hoa, Trưởng trạm Y tế xã, xã Lâm Thao, là gương điển hình tiên tiến trong lĩnh vực y tế,"
        " quý IV năm 2026."
    )


def test_the_web_body_sets_the_lead_then_the_facts_then_the_achievements_under_their_heading() -> None:
    html = render_body(drafted(approved().payload, NOW))
    assert "<li>Lĩnh vực: Y tế</li>" in html and "<li>Đơn vị: Xã Lâm Thao</li>" in html
    assert "<li>Đối tượng: Cá nhân</li>" in html and "<li>Thời gian xét chọn: quý IV năm 2026</li>" in html
    assert '<p class="lead">Quý IV năm 2026, cá nhân Nguyễn Thị Hoa' in html
    assert "<p>Tổ chức 40 buổi khám miễn phí cho người cao tuổi.</p>" in html
    lead, facts, heading = (
        html.index('class="lead"'),
        html.index('class="facts"'),
        html.index("<h2>Thành tích nổi bật</h2>"),
    )
    assert lead < facts < heading < html.index("<p>Mười năm liền đưa y tế đến từng thôn.</p>")


@pytest.mark.parametrize("field", list(FieldOfWork))
def test_every_field_has_its_vietnamese_label_in_the_story(field: FieldOfWork) -> None:
    label = FIELD_LABELS[field]
    assert unicodedata.is_normalized("NFC", label)
    assert f"Lĩnh vực: {label}" in render_body(drafted(approved(field=field).payload, NOW))


def test_party_field_keeps_the_capital_of_dang_inside_a_sentence() -> None:
    body = drafted(approved(field=FieldOfWork.PARTY_GOVERNMENT).payload, NOW).body
    assert "trong lĩnh vực xây dựng Đảng, chính quyền, đoàn thể." in body


@pytest.mark.parametrize(
    ("kind", "label"),
    [(NomineeKind.INDIVIDUAL, "cá nhân"), (NomineeKind.COLLECTIVE, "tập thể"), (NomineeKind.HOUSEHOLD, "hộ gia đình")],
)
def test_kind_of_nominee_in_vietnamese(kind: NomineeKind, label: str) -> None:
    body = drafted(approved(kind=kind, title="").payload, NOW).body
    assert f"Quý IV năm 2026, {label} Nguyễn Thị Hoa, xã Lâm Thao, đã được công nhận" in body


@pytest.mark.parametrize(
    ("kind", "name", "said"),
    [
        (NomineeKind.HOUSEHOLD, "Hộ ông Hà Văn Sơn", "Quý IV năm 2026, hộ ông Hà Văn Sơn, xã"),
        (NomineeKind.HOUSEHOLD, "Gia đình bà Lường Thị Mai", "Quý IV năm 2026, gia đình bà Lường Thị Mai, xã"),
        (NomineeKind.COLLECTIVE, "Tập thể Trạm Y tế xã", "Quý IV năm 2026, tập thể Trạm Y tế xã, xã"),
        (NomineeKind.HOUSEHOLD, "ông Hồ Văn Hội", "Quý IV năm 2026, hộ gia đình ông Hồ Văn Hội, xã"),
    ],
)
def test_a_name_that_already_says_its_kind_is_not_prefixed_twice(kind: NomineeKind, name: str, said: str) -> None:
    story = drafted(approved(kind=kind, name=name, title="").payload, NOW)
    assert said in story.body
    expected = said.removeprefix("Quý IV năm 2026, ")
    assert story.summary.startswith(expected[:1].upper() + expected[1:])


def test_html_in_the_achievements_and_name_is_escaped() -> None:
    payload = approved(name="Lê <b>Văn</b> Tám", achievements='<script>alert("x")</script> & "trồng rừng"').payload
    story = drafted(payload, NOW)
    assert '<script>alert("x")</script>' in story.body, "the text is kept as written"
    html = render_body(story)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;trồng rừng&#34;" in html
    page = render_story_page(SITE, story, [])
    assert "<script>" not in page and "<b>Văn</b>" not in page
    assert "Lê &lt;b&gt;Văn&lt;/b&gt; Tám" in page


def test_quarter_labels_and_dates() -> None:
    assert [quarter_label(f"2026-Q{q}") for q in range(1, 5)] == [
        "quý I năm 2026",
        "quý II năm 2026",
        "quý III năm 2026",
        "quý IV năm 2026",
    ]
    with pytest.raises(ValueError):
        quarter_label("2026-Q5")
    assert vn_date(date(2027, 1, 5)) == "05/01/2027"
    # 20:00 UTC on New Year's Eve is already 1 January in Vietnam.
    assert vn_date(datetime(2026, 12, 31, 20, 0, tzinfo=UTC)) == "01/01/2027"


def test_slug_drops_diacritics_and_ends_with_a_short_id() -> None:
    story_id = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert slug_for("Nguyễn Thị Đào", story_id) == "nguyen-thi-dao-12345678"
    assert slug_for(nfd("Hợp tác xã Đồng Tiến"), story_id) == "hop-tac-xa-dong-tien-12345678"
    assert slug_for("«»!!", story_id) == "guong-dien-hinh-12345678"
    long = slug_for("Trường Trung học cơ sở " * 10, story_id)
    assert len(long) <= 69 and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", long)


def test_story_identity_is_derived_from_the_exemplar() -> None:
    payload = approved().payload
    first, second = drafted(payload, NOW), drafted(payload, NOW + timedelta(hours=1))
    assert first.story_id == second.story_id == story_id_for(payload.exemplar_id)
    assert first.slug == second.slug
    assert first.path == f"/stories/{first.slug}"


def test_a_story_is_drafted_for_an_editor_and_keeps_the_consent_and_the_commune() -> None:
    without = drafted(approved(consent=False).payload, NOW)
    assert (without.status, without.consent, without.published_at) == (StoryStatus.DRAFT, False, None)
    with pytest.raises(NoConsent, match="chưa đồng ý công bố"):
        without.check_publishable()
    story = drafted(approved(consent=True).payload, NOW)
    assert (story.status, story.consent, story.unit_id, story.commune_id) == (
        StoryStatus.DRAFT,
        True,
        "xa-lam-thao",
        "xa-lam-thao",
    )


def test_a_draft_is_edited_freely_and_a_published_story_only_with_a_correction_note() -> None:
    story = drafted(approved().payload, NOW)
    story.edit(title="Người thầy thuốc của bản", summary="Tóm tắt mới", body="Đoạn một.\nĐoạn hai.", by="BTV", at=NOW)
    assert (story.title, story.revision, story.corrections) == ("Người thầy thuốc của bản", 2, [])
    story.placed("web", Placement("/stories/x", f"{BASE}/stories/x"), NOW)
    assert (story.status, story.published_at) == (StoryStatus.PUBLISHED, NOW)
    with pytest.raises(CorrectionNeedsNote):
        story.edit(title="Sửa", summary="S", body="B", by="BTV", at=NOW)
    later = NOW + timedelta(days=1)
    story.edit(title="Sửa", summary="S", body="B", by="BTV", at=later, note="Sửa tên thôn cho đúng.")
    assert story.corrections == [Correction(later, "BTV", "Sửa tên thôn cho đúng.")]
    assert story.revision == 3


def test_a_retracted_story_goes_nowhere_and_is_not_edited() -> None:
    story = drafted(approved().payload, NOW)
    with pytest.raises(ValueError, match="lý do"):
        story.retract(reason="  ", by="BTV", at=NOW)
    story.retract(reason="Người được giới thiệu rút lại sự đồng ý công bố", by="BTV", at=NOW)
    assert story.status is StoryStatus.RETRACTED and story.retraction_reason
    assert isinstance(story.events[-1], StoryTakenDown)
    for act in (
        story.check_publishable,
        lambda: story.edit(title="T", summary="S", body="B", by="BTV", at=NOW, note="n"),
        lambda: story.retract(reason="again", by="BTV", at=NOW),
    ):
        with pytest.raises(NotEditable):
            act()


def test_commendation_citation() -> None:
    commendation = Commendation(
        award_id=uuid.uuid4(),
        exemplar_id=uuid.uuid4(),
        form="giay-khen",
        form_name="Giấy khen",
        decision_number="163/QĐ-UBND",
        signed_on=date(2027, 1, 5),
        signer="Chủ tịch Ủy ban nhân dân xã Lâm Thao",
    )
    # A form is given; a title is recognised.
    assert commendation.citation == (
        "Được tặng Giấy khen (Quyết định số 163/QĐ-UBND ngày 05/01/2027 của Chủ tịch Ủy ban nhân dân xã Lâm Thao)"
    )
    title = replace(commendation, form="lao-dong-tien-tien", form_name="Lao động tiên tiến")
    assert title.citation == (
        "Được công nhận danh hiệu “Lao động tiên tiến” (Quyết định số 163/QĐ-UBND ngày 05/01/2027"
        " của Chủ tịch Ủy ban nhân dân xã Lâm Thao)"
    )
    flag = replace(commendation, form="co-thi-dua-ubnd-tinh", form_name="Cờ thi đua của Ủy ban nhân dân tỉnh")
    assert flag.citation.startswith("Được tặng Cờ thi đua của Ủy ban nhân dân tỉnh (")


def _feed(stories: list[Story], commendations: dict[uuid.UUID, list[Commendation]] | None = None) -> ET.Element:
    document = build_feed(SITE, stories, commendations or {})
    assert document.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(document)


def test_atom_feed_has_the_required_elements() -> None:
    older = drafted(approved(name="Hộ gia đình ông Phan Văn Lộc & bà <Mai>").payload, NOW)
    newer = drafted(approved().payload, NOW + timedelta(days=1))
    award = Commendation(
        award_id=uuid.uuid4(),
        exemplar_id=older.exemplar_id,
        form="giay-khen",
        form_name="Giấy khen",
        decision_number="07/QĐ-UBND",
        signed_on=date(2027, 2, 1),
        signer="Chủ tịch Ủy ban nhân dân xã Lâm Thao",
    )
    feed = _feed([newer, older], {older.exemplar_id: [award]})
    assert feed.tag == f"{A}feed"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "vi"
    assert (feed.findtext(f"{A}id") or "").startswith("urn:uuid:")
    assert feed.findtext(f"{A}title") == "Gương điển hình tiên tiến"
    assert feed.findtext(f"{A}updated") == "2027-01-03T03:04:05Z"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{A}link")}
    assert links == {"self": f"{BASE}/feed.atom", "alternate": f"{BASE}/"}
    assert feed.findtext(f"{A}author/{A}name") == "Ban biên tập"

    entries = feed.findall(f"{A}entry")
    assert [e.findtext(f"{A}id") for e in entries] == [f"urn:uuid:{newer.story_id}", f"urn:uuid:{older.story_id}"]
    entry = entries[1]
    assert entry.findtext(f"{A}title") == "Gương điển hình tiên tiến: Hộ gia đình ông Phan Văn Lộc & bà <Mai>"
    assert entry.findtext(f"{A}updated") == entry.findtext(f"{A}published") == "2027-01-02T03:04:05Z"
    link = entry.find(f"{A}link")
    assert link is not None and link.get("rel") == "alternate"
    assert link.get("href") == f"{BASE}/stories/{older.slug}"
    assert entry.findtext(f"{A}summary") == older.summary
    content = entry.find(f"{A}content")
    assert content is not None and content.get("type") == "html"
    assert "Lộc &amp; bà &lt;Mai&gt;" in (content.text or "")  # HTML, escaped once more by the XML
    assert (
        "Được tặng Giấy khen (Quyết định số 07/QĐ-UBND ngày 01/02/2027 của Chủ tịch Ủy ban nhân dân xã Lâm Thao)"
        in (content.text or "")
    )


def test_atom_ids_are_stable_across_renderings_and_changes() -> None:
    story = drafted(approved().payload, NOW)
    first = _feed([story])
    second = _feed([replace(story, updated_at=NOW + timedelta(days=3))])
    assert first.findtext(f"{A}id") == second.findtext(f"{A}id")
    assert first.findtext(f"{A}entry/{A}id") == second.findtext(f"{A}entry/{A}id") == f"urn:uuid:{story.story_id}"
    assert second.findtext(f"{A}entry/{A}updated") == "2027-01-05T03:04:05Z"
    assert second.findtext(f"{A}updated") == "2027-01-05T03:04:05Z"


def test_empty_atom_feed_is_still_valid() -> None:
    feed = _feed([])
    assert feed.findall(f"{A}entry") == []
    assert feed.findtext(f"{A}updated") == "1970-01-01T00:00:00Z"
    assert feed.findtext(f"{A}id") == SITE.feed_id
