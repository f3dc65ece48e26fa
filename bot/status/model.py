"""What the status builders take: the health words and the plan tree `bot.status.rules` settles."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.periods import month_index
from storage.status import CheckInRow, ObjectiveRow, PersonRow


class Health(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


@dataclass
class StatusNode:
    row: ObjectiveRow
    owner: PersonRow | None
    latest: CheckInRow | None
    children: list[StatusNode] = field(default_factory=list)
    health: Health = Health.NO_DATA
    descendants: int = 0

    @property
    def own_health(self) -> Health:
        if self.latest is None or self.latest.status is None:
            return Health.NO_DATA
        return Health(self.latest.status)


@dataclass
class PlanStatus:
    """The plan tree of one fiscal year with every node's rolled-up health."""

    year: int
    start_month: int
    roots: list[StatusNode]  # breakthroughs, then annual objectives linked to none
    by_ref: dict[str, StatusNode]
    by_id: dict[int, StatusNode]

    def counts(self) -> dict[Health, int]:
        """Health of the annual and cascaded objectives (breakthroughs only summarise)."""
        counts = dict.fromkeys(Health, 0)
        for node in self.by_id.values():
            if node.row.level != "breakthrough":
                counts[node.health] += 1
        return counts

    def plan_value(self, node: StatusNode, period: str) -> float | None:
        plan = node.row.monthly_plan
        index = month_index(period, self.year, self.start_month)
        if not plan or index is None or index >= len(plan):
            return None
        return plan[index]

    def owned_by(self, person_id: int) -> list[StatusNode]:
        return [n for n in self.by_id.values() if n.row.owner_id == person_id]
