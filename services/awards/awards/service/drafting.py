"""Draft decisions: an officer prepares one, sees what it pays each recipient, a signer signs it.

``preview`` prices a draft as it would be signed today (the authority, each recipient's amount,
the total) and says in Vietnamese what would refuse it, without taking a number. ``sign`` issues
the numbered decision through ``issue_decision_for`` (all or nothing) and closes the draft. If
the process stops between the two, the draft stays open and signing it again is refused: its
recipients already hold the form (the decision is not issued twice).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from awards.adapters.drafts import DraftStore
from awards.domain.drafts import Draft, DraftState
from awards.domain.history import NotEligible
from awards.domain.model import (
    AlreadyGranted,
    Decision,
    Exemplar,
    NoAuthority,
    NotGrantable,
    SignedBeforeApproval,
    SignedInFuture,
    authority_for,
    rewards_for,
)
from awards.domain.rewards import Reward, RuleError, UnknownForm
from awards.service.handlers import (
    AwardsOffice,
    AwardsUnitOfWork,
    DecisionRequest,
    ExemplarNotFound,
    check_history,
    issue_decision_for,
    rules_in_force,
)
from common.dates import vietnam_date
from common.db import Database
from common.errors import Unprocessable

__all__ = ["Line", "Preview", "discard", "draft", "preview", "said", "sign"]


@dataclass(frozen=True)
class Line:
    exemplar: Exemplar
    reward: Reward | None


@dataclass
class Preview:
    form_name: str
    signed_on: date
    authority_name: str = ""
    lines: list[Line] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(line.reward.amount_vnd for line in self.lines if line.reward is not None)


def said(error: Exception, names: dict[uuid.UUID, str]) -> str:
    """What a refusal of the awards rules means, in Vietnamese, naming the recipients concerned."""
    known = {**getattr(error, "names", {}), **names}
    who = ", ".join(known.get(i, str(i)) for i in getattr(error, "exemplar_ids", []))
    if isinstance(error, ExemplarNotFound):
        return "Có gương điển hình chưa được ghi nhận là đã công nhận; xin tải lại danh sách."
    if isinstance(error, AlreadyGranted):
        return f"Đã được tặng hình thức khen thưởng này: {who}."
    if isinstance(error, NotGrantable):
        return f"Quy định không có mức thưởng của hình thức này cho: {who}."
    if isinstance(error, NotEligible):
        return f"Chưa đủ điều kiện theo quá trình khen thưởng ({error})."
    if isinstance(error, SignedBeforeApproval):
        return f"Ngày ký trước ngày công nhận gương điển hình của: {who}."
    if isinstance(error, SignedInFuture):
        return "Ngày ký không được sau ngày hôm nay."
    if isinstance(error, NoAuthority):
        return "Không có một cấp có thẩm quyền chung ký quyết định cho các đối tượng đã chọn; xin tách quyết định."
    if isinstance(error, UnknownForm):
        return "Hình thức khen thưởng không có trong quy định."
    return f"Quyết định chưa thể ban hành: {error}"


async def preview(
    uow: AwardsUnitOfWork, office: AwardsOffice, exemplar_ids: Sequence[uuid.UUID], form_id: str, *, on: date
) -> Preview:
    """The decision as it would be signed on ``on``: who signs, what each recipient gets, and
    what would refuse it (nothing is written, no number is taken)."""
    try:
        form = office.rules.form(form_id)
    except UnknownForm as error:
        return Preview(form_id, on, problems=[said(error, {})])
    result = Preview(form.name, on)
    async with uow:
        found = await uow.store.load_exemplars(list(exemplar_ids))
        exemplars = [found[i] for i in exemplar_ids if i in found]
        names = {e.exemplar_id: e.nominee_name for e in exemplars}
        if len(exemplars) != len(exemplar_ids):
            result.problems.append(said(ExemplarNotFound([i for i in exemplar_ids if i not in found]), names))
        if not exemplars:
            return result
        if granted := await uow.store.granted_numbers([e.exemplar_id for e in exemplars], form.id):
            result.problems.append(said(AlreadyGranted(form.name, granted), names))
        try:
            authority = authority_for(office.organisation, exemplars, form, on)
            result.authority_name = authority.name
            rules = await rules_in_force(uow.store, office)
            await check_history(uow.store, rules, form, exemplars)
            rewards = rewards_for(rules, form.id, exemplars, on, grantor=authority.level.value)
            result.lines = [Line(e, r) for e, r in zip(exemplars, rewards, strict=True)]
        except (RuleError, NotEligible) as error:
            result.problems.append(said(error, names))
            result.lines = [Line(e, None) for e in exemplars]
    return result


async def draft(
    db: Database, office: AwardsOffice, exemplar_ids: Sequence[uuid.UUID], form_id: str, citation: str, *, by: str
) -> Draft:
    ids = tuple(dict.fromkeys(exemplar_ids))
    if not ids:
        raise Unprocessable("no-recipient", "Xin chọn ít nhất một gương điển hình để khen thưởng.")
    try:
        office.rules.form(form_id)
    except UnknownForm as error:
        raise Unprocessable("unknown-form", said(error, {})) from error
    made = Draft(uuid.uuid4(), form_id, ids, citation.strip(), by, datetime.now(UTC))
    async with db.transaction() as connection:
        await DraftStore(connection).add(made)
    return made


async def sign(uow: AwardsUnitOfWork, db: Database, office: AwardsOffice, draft_id: uuid.UUID, *, by: str) -> Decision:
    """Issue the draft's decision, signed today by the authority's signer; ``Unprocessable`` says why not."""
    async with db.read() as connection:
        found = await DraftStore(connection).get(draft_id)
    if found is None or found.state is not DraftState.DRAFT:
        raise Unprocessable("not-a-draft", "Dự thảo này đã được ký hoặc đã hủy.")
    request = DecisionRequest(
        exemplar_ids=found.exemplar_ids, form=found.form, granted_by=found.drafted_by, citation=found.citation
    )
    try:
        decision = await issue_decision_for(uow, office, request)
    except (ExemplarNotFound, AlreadyGranted, RuleError, NotEligible, SignedBeforeApproval, SignedInFuture) as error:
        raise Unprocessable("refused", said(error, {})) from error
    async with db.transaction() as connection:
        await DraftStore(connection).close(
            draft_id, DraftState.SIGNED, by=by, at=datetime.now(UTC), decision_id=decision.decision_id
        )
    return decision


async def discard(db: Database, draft_id: uuid.UUID, *, by: str) -> None:
    async with db.transaction() as connection:
        if not await DraftStore(connection).close(draft_id, DraftState.DISCARDED, by=by, at=datetime.now(UTC)):
            raise Unprocessable("not-a-draft", "Dự thảo này đã được ký hoặc đã hủy.")


def today() -> date:
    return vietnam_date(datetime.now(UTC))
