"""The status roll-up: each objective's health from its own check-in and from its children.

A node's own health is its latest check-in's status. A parent is as healthy as its children say:
their rolled-up healths are scored (on track 0, at risk 1, off track 2) and averaged; an average
below 0.5 is on track, below 1.25 at risk, else off track, and any child off track makes the
parent at least at risk. The parent's health is the worse of its own and its children's. Nodes
with no check-in yet and no reporting children have no data and do not count.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.status.model import Health, PlanStatus, StatusNode
from storage.status import CheckInRow, ObjectiveRow, PersonRow

_SCORE = {Health.ON_TRACK: 0, Health.AT_RISK: 1, Health.OFF_TRACK: 2}


def roll_up(own: Health, children: Iterable[Health]) -> Health:
    reported = [h for h in children if h is not Health.NO_DATA]
    if not reported:
        return own
    mean = sum(_SCORE[h] for h in reported) / len(reported)
    from_children = (
        Health.ON_TRACK if mean < 0.5 else Health.AT_RISK if mean < 1.25 else Health.OFF_TRACK
    )
    if from_children is Health.ON_TRACK and Health.OFF_TRACK in reported:
        from_children = Health.AT_RISK
    if own is Health.NO_DATA:
        return from_children
    return max(own, from_children, key=_SCORE.__getitem__)


def choose_year(rows: Iterable[ObjectiveRow], current_year: int) -> int:
    """The current fiscal year when it has annual objectives, else the nearest that does."""
    years = {r.year for r in rows if r.level == "annual" and r.year is not None}
    if not years or current_year in years:
        return current_year
    upcoming = [y for y in years if y > current_year]
    return min(upcoming) if upcoming else max(years)


def build_plan_status(
    rows: list[ObjectiveRow],
    latest: dict[int, CheckInRow],
    people: dict[int, PersonRow],
    *,
    year: int,
    start_month: int,
) -> PlanStatus:
    nodes = {
        r.id: StatusNode(row=r, owner=people.get(r.owner_id), latest=latest.get(r.id)) for r in rows
    }
    in_year: dict[int, StatusNode] = {}
    for node in nodes.values():
        row = node.row
        if row.level == "breakthrough":
            start, end = row.start_year or year, row.end_year or year
            if start <= year <= end:
                in_year[row.id] = node
        elif row.year == year or (row.year is None and row.level == "cascaded"):
            in_year[row.id] = node
    roots: list[StatusNode] = []
    unlinked: list[StatusNode] = []
    for node in in_year.values():
        parent = in_year.get(node.row.parent_id) if node.row.parent_id else None
        if parent is not None:
            parent.children.append(node)
        elif node.row.level == "breakthrough":
            roots.append(node)
        elif node.row.level == "annual":
            unlinked.append(node)
        # a cascaded objective whose parent is outside the year or inactive is not shown
    reachable: dict[int, StatusNode] = {}
    for root in roots + unlinked:
        _settle(root, reachable)
    return PlanStatus(
        year=year,
        start_month=start_month,
        roots=roots + unlinked,
        by_ref={n.row.ref: n for n in reachable.values()},
        by_id=reachable,
    )


def _settle(root: StatusNode, seen: dict[int, StatusNode]) -> None:
    """Roll health up from the leaves without recursion: plans can be thousands deep in tests."""
    order: list[StatusNode] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.row.id in seen:
            continue
        seen[node.row.id] = node
        order.append(node)
        stack.extend(node.children)
    for node in reversed(order):
        node.health = roll_up(node.own_health, (c.health for c in node.children))
        node.descendants = sum(1 + c.descendants for c in node.children)
