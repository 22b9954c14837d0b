"""Unit tests of a commendation decision: one number for a list of recipients, priced by kind."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from functools import partial

import pytest

from awards.adapters.rules_file import load_reward_rules
from awards.domain.model import (
    AlreadyGranted,
    BadDecisionNumber,
    Exemplar,
    NotGrantable,
    OutOfRegisterOrder,
    Registered,
    SignedBeforeApproval,
    SignedInFuture,
    check_register_order,
    decision_number,
    issue_decision,
    parse_decision_number,
    rewards_for,
)
from awards.domain.rewards import RewardRules, UnknownForm
from common.dates import vietnam_date
from common.organisation import Authority, default_organisation_path, load_organisation

SIGNED = date(2026, 3, 2)
EVENING_UTC = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)  # already 2 March in Hà Nội


@pytest.fixture(scope="module")
def rules() -> RewardRules:
    return load_reward_rules()


@pytest.fixture(scope="module")
def ban_nguyen() -> Authority:
    authority = load_organisation(default_organisation_path()).authority("ubnd-xa-ban-nguyen")
    assert authority is not None
    return authority


def exemplar(kind: str = "individual", name: str = "Nguyễn Thị Hoa") -> Exemplar:
    return Exemplar(
        exemplar_id=uuid.uuid4(),
        nomination_id=uuid.uuid4(),
        unit_id="xa-ban-nguyen",
        unit_name="Xã Bản Nguyên",
        quarter="2026-Q1",
        field="agriculture",
        nominee_kind=kind,
        nominee_name=name,
        nominee_title="",
        approved_at=datetime(2026, 2, 1, tzinfo=UTC),
        correlation_id=uuid.uuid4(),
    )


def test_each_recipient_is_paid_for_its_kind(rules: RewardRules) -> None:
    recipients = [exemplar("individual"), exemplar("collective"), exemplar("household"), exemplar("individual")]
    rewards = rewards_for(rules, "giay-khen", recipients, SIGNED, grantor="district")
    assert [r.amount_vnd for r in rewards] == [710_000, 1_410_000, 1_060_000, 710_000]


def test_recipients_the_form_cannot_go_to_are_all_named(rules: RewardRules) -> None:
    person, household, other_household = exemplar(), exemplar("household", "Hộ ông Nam"), exemplar("household")
    with pytest.raises(NotGrantable) as caught:
        rewards_for(rules, "lao-dong-tien-tien", [person, household, other_household], SIGNED, grantor="district")
    assert caught.value.exemplar_ids == [household.exemplar_id, other_household.exemplar_id]
    assert f"exemplar {household.exemplar_id} (Hộ ông Nam, household)" in str(caught.value)
    # Before 1 July 2025 there is no household factor: also named, with the reason.
    with pytest.raises(NotGrantable, match="no reward factor for a household recipient"):
        rewards_for(rules, "giay-khen", [person, household], date(2025, 6, 30), grantor="district")
    with pytest.raises(UnknownForm):
        rewards_for(rules, "bang-khen", [person], SIGNED, grantor="district")


def test_a_decision_has_one_number_for_all_its_recipients(rules: RewardRules, ban_nguyen: Authority) -> None:
    recipients = [exemplar("individual"), exemplar("collective", "Hợp tác xã Thạch Sơn"), exemplar("household")]
    rewards = rewards_for(rules, "giay-khen", recipients, SIGNED, grantor="district")
    decision = issue_decision(
        list(zip(recipients, rewards, strict=True)),
        authority=ban_nguyen,
        seq=163,
        signed_on=SIGNED,
        signer="Chủ tịch UBND",
        citation="Đã có thành tích xuất sắc",
        granted_by="officer",
        now=EVENING_UTC,
    )
    assert decision.number == "163/QĐ-UBND"
    assert (decision.authority_id, decision.authority_name) == ("ubnd-xa-ban-nguyen", "Ủy ban nhân dân xã Bản Nguyên")
    assert (decision.year, decision.seq, decision.form_name) == (2026, 163, "Giấy khen")
    assert decision.recipient_count == 3
    assert decision.total_amount_vnd == 710_000 + 1_410_000 + 1_060_000
    assert [a.exemplar_id for a in decision.awards] == [e.exemplar_id for e in recipients]
    assert {a.decision_number for a in decision.awards} == {"163/QĐ-UBND"}
    assert {a.decision_id for a in decision.awards} == {decision.decision_id}
    assert len({a.award_id for a in decision.awards}) == 3
    assert decision.awards[1].recipient_name == "Hợp tác xã Thạch Sơn"
    assert decision.awards[1].kind_factor == 2


def test_decisions_are_dated_in_vietnam_time_not_in_the_future_nor_before_the_approval(
    rules: RewardRules, ban_nguyen: Authority
) -> None:
    assert vietnam_date(EVENING_UTC) == date(2026, 3, 2)
    person = exemplar()
    reward = rules.reward("giay-khen", "individual", SIGNED, grantor="district")
    sign = partial(issue_decision, authority=ban_nguyen, signer="Chủ tịch UBND", citation="", granted_by="officer")
    decision = sign([(person, reward)], seq=12, signed_on=SIGNED, now=EVENING_UTC)
    assert decision.number == "12/QĐ-UBND"
    assert decision.awards[0].decision_year == 2026
    with pytest.raises(SignedInFuture, match="2026-03-03 is in the future"):
        sign([(person, reward)], seq=13, signed_on=date(2026, 3, 3), now=EVENING_UTC)
    # Approved at 20:00 on 1 February in Hà Nội (13:00 UTC): a decision of 1 February may commend it,
    # one of 31 January may not.
    late = exemplar()
    late = Exemplar(**{**late.__dict__, "approved_at": datetime(2026, 2, 1, 13, tzinfo=UTC)})
    sign([(late, reward)], seq=14, signed_on=date(2026, 2, 1), now=EVENING_UTC)
    with pytest.raises(SignedBeforeApproval, match="2026-01-31 is before the approval it commends") as caught:
        sign([(person, reward), (late, reward)], seq=15, signed_on=date(2026, 1, 31), now=EVENING_UTC)
    assert caught.value.exemplar_ids == [person.exemplar_id, late.exemplar_id]


def test_decision_numbers_have_two_digits_at_least() -> None:
    assert [decision_number(n, "QĐ-UBND") for n in (1, 9, 10, 163)] == [
        "01/QĐ-UBND",
        "09/QĐ-UBND",
        "10/QĐ-UBND",
        "163/QĐ-UBND",
    ]


@pytest.mark.parametrize("text", ["163/QĐ-UBND", " 163 / QĐ-UBND ", "0163/QĐ-UBND"])
def test_an_entered_number_is_read_with_its_suffix(text: str) -> None:
    assert parse_decision_number(text, "QĐ-UBND") == 163


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("163", "not of the form 163/QĐ-UBND"),
        ("0/QĐ-UBND", "not of the form"),
        ("-3/QĐ-UBND", "not of the form"),
        ("163/QĐ-CT", "its numbers end in /QĐ-UBND"),
        ("163/QĐ-UBND extra", "not of the form"),
        ("1234567/QĐ-UBND", "not of the form"),
    ],
)
def test_a_wrong_entered_number_says_why(text: str, why: str) -> None:
    with pytest.raises(BadDecisionNumber, match=why):
        parse_decision_number(text, "QĐ-UBND")


def test_a_register_follows_the_order_of_the_dates() -> None:
    before = Registered(seq=4, number="04/QĐ-UBND", signed_on=date(2026, 9, 15))
    after = Registered(seq=9, number="09/QĐ-UBND", signed_on=date(2026, 9, 20))
    check_register_order(date(2026, 9, 15), before, None)
    check_register_order(date(2026, 9, 20), before, after)
    check_register_order(date(2026, 1, 2), None, None)
    with pytest.raises(OutOfRegisterOrder, match="before 2026-09-15, the date of decision 04/QĐ-UBND"):
        check_register_order(date(2026, 9, 14), before, after)
    with pytest.raises(OutOfRegisterOrder, match="after 2026-09-20, the date of decision 09/QĐ-UBND"):
        check_register_order(date(2026, 9, 21), before, after)


def test_a_decision_lists_each_recipient_once_and_at_least_one(rules: RewardRules, ban_nguyen: Authority) -> None:
    person = exemplar()
    reward = rules.reward("giay-khen", "individual", SIGNED, grantor="district")
    sign = partial(issue_decision, authority=ban_nguyen, signer="Chủ tịch UBND", citation="", granted_by="officer")
    with pytest.raises(ValueError, match="only once"):
        sign([(person, reward), (person, reward)], seq=1, signed_on=SIGNED, now=EVENING_UTC)
    with pytest.raises(ValueError, match="at least one"):
        sign([], seq=1, signed_on=SIGNED, now=EVENING_UTC)


def test_already_granted_names_each_recipient_and_its_decision() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    one = AlreadyGranted("Giấy khen", {first: "01/QĐ-UBND"})
    assert str(one) == f"Giấy khen was already granted to exemplar {first} by decision 01/QĐ-UBND"
    two = AlreadyGranted("Giấy khen", {first: "01/QĐ-UBND", second: "07/QĐ-UBND"})
    assert two.exemplar_ids == [first, second]
    assert f"exemplar {second} by decision 07/QĐ-UBND" in str(two)
