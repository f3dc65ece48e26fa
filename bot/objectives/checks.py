"""The X-matrix checks: what breaks the plan's alignment, read in a fixed number of queries.

An aligned plan links every annual objective to a breakthrough and gives every breakthrough of
the fiscal year at least one annual objective; every objective has an owner and a metric with a
target, annual and cascaded ones a monthly plan; nobody owns more active objectives than the
workspace's limit; and no catchball proposal waits on its answer longer than a week.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from bot.objectives.model import AlignmentIssue, IssueKind, PlanCheck
from bot.periods import fiscal_year_of
from bot.status.rules import choose_year
from storage import checks as reads
from storage.models import Workspace
from storage.rows import PlanRow
from storage.status import people as read_people

PROPOSAL_PATIENCE = timedelta(days=7)
TITLE_LIMIT = 80
REFS_NAMED = 8


def find_alignment_issues(
    session: Session, *, workspace: Workspace, today: date
) -> list[AlignmentIssue]:
    """Every alignment problem of the workspace's current plan, grouped by kind, in plan order."""
    return check_plan(session, workspace=workspace, today=today).issues


def check_plan(session: Session, *, workspace: Workspace, today: date) -> PlanCheck:
    """The checks with the fiscal year they cover (the year `/hoshin status` shows)."""
    rows = reads.active_plan(session, workspace_id=workspace.id)
    people = read_people(session, workspace_id=workspace.id)
    cutoff = datetime.combine(today - PROPOSAL_PATIENCE, time.min, tzinfo=UTC)
    waiting = reads.rounds_waiting_since(session, workspace_id=workspace.id, before=cutoff)

    year = choose_year(rows, fiscal_year_of(today, workspace.fiscal_year_start_month))
    by_id = {r.id: r for r in rows}
    in_year = [r for r in rows if _in_year(r, year)]
    found: dict[IssueKind, list[AlignmentIssue]] = defaultdict(list)

    def add(kind: IssueKind, row: PlanRow, what: str) -> None:
        found[kind].append(AlignmentIssue(kind, f"{_title(row)} — {what}", ref=row.ref))

    annual_years: dict[int, set[int | None]] = defaultdict(set)
    for row in rows:
        if row.level == "annual" and row.parent_id is not None:
            annual_years[row.parent_id].add(row.year)

    owned: dict[int, list[str]] = defaultdict(list)
    for row in in_year:
        if row.owner_id is not None:
            owned[row.owner_id].append(row.ref)
        if row.level == "annual":
            parent = by_id.get(row.parent_id) if row.parent_id else None
            if parent is None or parent.level != "breakthrough":
                add(IssueKind.ANNUAL_WITHOUT_BREAKTHROUGH, row, "serves no active breakthrough")
            elif not _in_year(parent, year):
                add(
                    IssueKind.ANNUAL_WITHOUT_BREAKTHROUGH,
                    row,
                    f"its breakthrough {parent.ref} does not cover FY{year}",
                )
        if row.level == "breakthrough" and not annual_years[row.id] & {year, None}:
            add(IssueKind.BREAKTHROUGH_WITHOUT_ANNUAL, row, f"no annual objective in FY{year}")
        if row.owner_id is None or row.owner_id not in people:
            add(IssueKind.NO_OWNER, row, "no owner")
        if not (row.metric_name or "").strip():
            add(IssueKind.NO_METRIC, row, "no metric")
        elif row.target is None:
            add(IssueKind.NO_METRIC, row, f"metric “{row.metric_name}” has no target")
        if row.level != "breakthrough" and not row.has_monthly_plan:
            add(IssueKind.NO_MONTHLY_PLAN, row, "no monthly plan")

    limit = workspace.owner_objective_limit
    for owner_id, refs in owned.items():
        if len(refs) > limit:
            person = people.get(owner_id)
            named = ", ".join(refs[:REFS_NAMED]) + (" …" if len(refs) > REFS_NAMED else "")
            found[IssueKind.OWNER_OVERLOADED].append(
                AlignmentIssue(
                    IssueKind.OWNER_OVERLOADED,
                    f"{person.name if person else 'Someone'} owns {len(refs)} active objectives, "
                    f"over the limit of {limit}: {named}",
                    person=person.slack_user_id if person else None,
                )
            )
    found[IssueKind.OWNER_OVERLOADED].sort(key=lambda i: i.message)

    for wait in waiting:
        decider, proposer = people.get(wait.decider_id), people.get(wait.proposer_id)
        days = (today - wait.created_at.astimezone(UTC).date()).days
        by = f" from {proposer.name}" if proposer else ""
        found[IssueKind.PROPOSAL_WAITING].append(
            AlignmentIssue(
                IssueKind.PROPOSAL_WAITING,
                f"{_short(wait.objective_title)} — round {wait.round_no}{by} "
                f"has waited {days} days for an answer",
                ref=wait.objective_ref,
                person=decider.slack_user_id if decider else None,
            )
        )
    return PlanCheck(year, limit, [issue for kind in IssueKind for issue in found[kind]])


def _in_year(row: PlanRow, year: int) -> bool:
    """The objectives `/hoshin status` shows for `year` (see bot.status.rules.build_plan_status)."""
    if row.level == "breakthrough":
        return (row.start_year or year) <= year <= (row.end_year or year)
    return row.year == year or row.year is None


def _title(row: PlanRow) -> str:
    return _short(row.title)


def _short(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= TITLE_LIMIT else text[: TITLE_LIMIT - 1].rstrip() + "…"
