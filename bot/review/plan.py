"""What a review thread shows, read from the database: its objectives, their charts, check-ins.

Where an objective's check-ins go: the review channel named on the objective itself, else on its
nearest active ancestor that names one (a department's channel), else the workspace's.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlmodel import Session

from bot.periods import fiscal_periods, fiscal_year_of, parse_period
from bot.review.bowling import chart
from bot.review.model import MonthResult, ObjectiveLine, ThreadSummary
from storage import objectives
from storage import review as store
from storage import status as plan_reads
from storage.models import ObjectiveState, Workspace
from storage.review import ReviewCheckIn
from storage.status import ObjectiveRow, PersonRow

REVIEWED_LEVELS = ("annual", "cascaded")


# ---- the plan as the review sees it -----------------------------------------------------------


class ReviewPlan:
    """What every thread of one workspace is built from: its active objectives and people."""

    def __init__(self, session: Session, workspace: Workspace) -> None:
        self.workspace_id = workspace.id
        self.default_channel = workspace.review_channel
        self.start_month = workspace.fiscal_year_start_month
        self.rows = plan_reads.active_objectives(session, workspace_id=workspace.id)
        self.by_id = {r.id: r for r in self.rows}
        self.people: dict[int, PersonRow] = plan_reads.people(session, workspace_id=workspace.id)
        self._channels: dict[int, str | None] = {}
        self._order = _tree_order(self.rows)
        self._check_ins: dict[tuple[str, str], list[ReviewCheckIn]] = {}

    def channel_of(self, objective_id: int) -> str | None:
        """The objective's review channel: its own, its nearest ancestor's, or the workspace's."""
        if objective_id in self._channels:
            return self._channels[objective_id]
        path, node, found = [], self.by_id.get(objective_id), None
        seen: set[int] = set()
        while node is not None and node.id not in seen:
            if node.id in self._channels:
                found = self._channels[node.id]
                break
            seen.add(node.id)
            path.append(node.id)
            if node.review_channel:
                found = node.review_channel
                break
            node = self.by_id.get(node.parent_id) if node.parent_id else None
        else:
            found = self.default_channel
        for objective in path:
            self._channels[objective] = found
        return found or None

    def year_of(self, period: str) -> int:
        year, month = parse_period(period)
        return fiscal_year_of(date(year, month, 1), self.start_month)

    def reviewed_in(self, channel: str, period: str) -> list[ObjectiveRow]:
        """The objectives whose check-ins of `period` go to `channel`, in plan order."""
        year = self.year_of(period)
        return [
            r
            for r in self._order
            if r.level in REVIEWED_LEVELS
            and (r.year == year or (r.year is None and r.level == "cascaded"))
            and self.channel_of(r.id) == channel
        ]

    def check_ins(self, session: Session, period: str) -> list[ReviewCheckIn]:
        """Check-ins of the fiscal year up to `period` (read once per range and sync)."""
        first = fiscal_periods(self.year_of(period), self.start_month)[0]
        key = (first, period)
        if key not in self._check_ins:
            self._check_ins[key] = store.check_ins(
                session, workspace_id=self.workspace_id, first=first, last=period
            )
        return self._check_ins[key]

    def summary(self, session: Session, channel: str, period: str) -> ThreadSummary:
        year = self.year_of(period)
        periods = fiscal_periods(year, self.start_month)
        months = periods[: periods.index(period) + 1]
        by_objective: dict[int, dict[str, ReviewCheckIn]] = defaultdict(dict)
        for c in self.check_ins(session, period):
            by_objective[c.objective_id][c.period] = c
        lines = []
        for row in self.reviewed_in(channel, period):
            mine = by_objective.get(row.id, {})
            results = {p: MonthResult(c.actual, c.status) for p, c in mine.items()}
            owner = self.people.get(row.owner_id) if row.owner_id else None
            lines.append(
                ObjectiveLine(
                    objective_id=row.id,
                    ref=row.ref,
                    title=row.title,
                    owner=owner.slack_user_id if owner else None,
                    metric_name=row.metric_name,
                    unit=row.metric_unit,
                    target=row.target,
                    months=tuple(
                        chart(
                            months,
                            row.monthly_plan,
                            results,
                            higher_is_better=row.higher_is_better,
                        )
                    ),
                    check_in=mine.get(period),
                )
            )
        return ThreadSummary(period=period, channel=channel, year=year, lines=tuple(lines))

    def person_slack_id(self, person_id: int | None) -> str | None:
        person = self.people.get(person_id) if person_id else None
        return person.slack_user_id if person else None


def _tree_order(rows: list[ObjectiveRow]) -> list[ObjectiveRow]:
    """Parents before their children, siblings in plan order (rows come in plan order)."""
    ids = {r.id for r in rows}
    children: dict[int | None, list[ObjectiveRow]] = defaultdict(list)
    for r in rows:
        children[r.parent_id if r.parent_id in ids else None].append(r)
    order, stack = [], list(reversed(children[None]))
    while stack:
        row = stack.pop()
        order.append(row)
        stack.extend(reversed(children.get(row.id, [])))
    return order


def channel_for(session: Session, workspace: Workspace, objective_id: int) -> str | None:
    """`ReviewPlan.channel_of` for one objective, reading only its line of ancestors (a few
    queries inside a submission's 3 seconds, whatever the plan's size)."""
    node = objectives.by_id(session, workspace_id=workspace.id, objective_id=objective_id)
    seen: set[int] = set()
    while node is not None and node.state == ObjectiveState.ACTIVE and node.id not in seen:
        if node.review_channel:
            return node.review_channel
        seen.add(node.id)
        node = (
            objectives.by_id(session, workspace_id=workspace.id, objective_id=node.parent_id)
            if node.parent_id
            else None
        )
    return workspace.review_channel or None
