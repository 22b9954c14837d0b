"""``awards rules``: the reward rules in force, the operator's amendments, and adding one.

    awards rules amend --base-salary 2530000 --from 2026-07-01 --source "Nghị định 161/2026/NĐ-CP"
    awards rules amend --multiplier 1.5 --form bang-khen-ubnd-tinh --grantor province --from 2025-07-01 --source …
    awards rules amend --kind-factor 1.5 --recipient-kind household --from 2024-01-01 --source … --verify
    awards rules amendments
    awards rules amounts --on 2025-06-30 --on 2026-09-15 [--grantor commune]

An amendment applies to the next decision of every running awards process: no restart.
"""

from __future__ import annotations

import argparse
import getpass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from awards.adapters.repository import AwardsStore
from awards.bootstrap import build, office_from
from awards.config import Settings
from awards.domain.rewards import Amendment, AmendmentKind, AmendmentRefused, RewardRules
from awards.service.handlers import amend_rules, rules_in_force
from common.service_cli import ExtraCommand

__all__ = ["COMMANDS", "amounts_table"]


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number")
    return value


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="rules_command", required=True)
    amend = sub.add_parser("amend", help="add a base salary, multiplier or kind factor from a date")
    what = amend.add_mutually_exclusive_group(required=True)
    what.add_argument("--base-salary", type=_decimal, metavar="VND")
    what.add_argument("--multiplier", type=_decimal, metavar="VALUE")
    what.add_argument("--kind-factor", type=_decimal, metavar="VALUE")
    amend.add_argument("--form", help="the form a multiplier belongs to (giay-khen, …)")
    amend.add_argument("--grantor", choices=["commune", "district", "province"], help="a multiplier of one level")
    amend.add_argument("--recipient-kind", choices=["individual", "collective", "household"])
    amend.add_argument("--from", dest="effective_from", type=date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    amend.add_argument("--source", required=True, help="the legal basis: Nghị định …")
    amend.add_argument("--verify", action="store_true", help="not yet confirmed from a primary legal text")
    amend.add_argument("--operator", default=None, help="who records it (default: the login name)")
    sub.add_parser("amendments", help="what operators added to the shipped rules, who and when")
    amounts = sub.add_parser("amounts", help="what each form pays on signing dates (a Markdown table)")
    amounts.add_argument("--on", type=date.fromisoformat, action="append", required=True, metavar="YYYY-MM-DD")
    amounts.add_argument("--grantor", choices=["commune", "district", "province"], default="commune")


def _amendment(args: argparse.Namespace) -> Amendment:
    if args.base_salary is not None:
        kind, value = AmendmentKind.BASE_SALARY, args.base_salary
    elif args.multiplier is not None:
        kind, value = AmendmentKind.MULTIPLIER, args.multiplier
    else:
        kind, value = AmendmentKind.KIND_FACTOR, args.kind_factor
    return Amendment(
        kind=kind,
        value=value,
        effective_from=args.effective_from,
        source=args.source,
        recorded_by=args.operator or getpass.getuser(),
        recorded_at=datetime.now(UTC),
        form=args.form,
        grantor=args.grantor,
        recipient_kind=args.recipient_kind,
        verify=args.verify,
    )


def _vnd(value: int | str) -> str:
    return f"{value:,}" if isinstance(value, int) else "—"


def amounts_table(rules: RewardRules, days: list[date], grantor: str) -> str:
    """One row per signing date and form; "—" where the form pays that kind nothing (reason below)."""
    lines = [
        "| signing date | form | granted at | individual | collective | household |",
        "|---|---|---|---:|---:|---:|",
    ]
    for day in days:
        for row in rules.amounts_on(day, grantor=grantor):
            cells = [_vnd(row.amounts[k]) for k in ("individual", "collective", "household")]
            lines.append(f"| {day.isoformat()} | {row.form.name} | {row.grantor} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    runtime = build(settings)
    office = office_from(settings)
    try:
        if args.rules_command == "amend":
            amendment = _amendment(args)
            try:
                recorded = await amend_rules(runtime.unit_of_work(), office, amendment)
            except AmendmentRefused as error:
                print(f"refused: {error}")
                return 1
            print(f"recorded #{recorded.amendment.amendment_id}: {amendment.describe()} ({amendment.source})")
            if recorded.signed_since:
                print(f"note: {recorded.signed_since} decisions are already dated on or after that day")
            return 0
        async with runtime.db.read() as connection:
            store = AwardsStore(connection)
            if args.rules_command == "amendments":
                for a in await store.amendments():
                    flag = " (verify)" if a.verify else ""
                    print(
                        f"#{a.amendment_id}  {a.recorded_at:%Y-%m-%d %H:%M} UTC  {a.recorded_by}  "
                        f"{a.describe()}  {a.source}{flag}"
                    )
                return 0
            rules = await rules_in_force(store, office)
        print(amounts_table(rules, args.on, args.grantor))
        return 0
    finally:
        await runtime.db.dispose()
        await runtime.redis.aclose()


COMMANDS = [
    ExtraCommand(
        name="rules",
        help="reward rules: amend (new base salary, multiplier, factor), amendments, amounts",
        add_arguments=_add_arguments,
        run=_run,
    )
]
