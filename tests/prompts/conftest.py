"""A check-in cycle rig: a small plan in two timezones, a clock to move, and a Slack stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.standin import SlackStandIn
from schedules.delivery import Deliverer
from schedules.jobs import deliver, queue_monthly_prompts, send_reminders
from schedules.ratelimit import DeliveryLimits
from storage.db import session_scope
from storage.models import ActionItem, CheckInPrompt, Objective, OutboxMessage, Person
from tests import factories as f

TEAM = "T0CYCLE"
TOKEN = "xoxb-cycle-token"
BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
SCALE = 20
PLAN = [10.3, 10.6, 10.9, 11.2, 11.5, 11.8, 12.1, 12.4, 12.8, 13.2, 13.6, 14]
VISION = "Every finance team closes its books in a day."


@dataclass
class Org:
    workspace_id: int
    people: dict[str, int]  # slack user id → person id
    objectives: dict[str, int]  # ref → objective id


def store_plan(engine: Engine) -> Org:
    """Berta (Berlin) owns AN1 and AN1.1, Nate (New York) AN2; Maya, their manager, owns only the
    breakthrough (never asked); Otto owns nothing. AN9 (FY2026) and AN8 (proposed) are not asked."""
    with session_scope(engine) as session:
        ws = f.workspace(
            session,
            TEAM,
            timezone=BERLIN,
            vision=VISION,
            checkin_business_day=1,
            checkin_time="09:00",
            reminder_after_days=3,
            escalate_after_days=7,
        )
        maya = f.person(session, ws, "U0MAYA", name="Maya", timezone=BERLIN)
        berta = f.person(session, ws, "U0BERTA", name="Berta", timezone=BERLIN, manager_id=maya.id)
        nate = f.person(session, ws, "U0NATE", name="Nate", timezone=NEW_YORK, manager_id=maya.id)
        otto = f.person(session, ws, "U0OTTO", name="Otto")
        bt = f.objective(session, ws, "BT1", level="breakthrough", owner_id=maya.id)
        an1 = f.objective(
            session,
            ws,
            "AN1",
            parent_id=bt.id,
            title="Grow ARR to 14 M$",
            owner_id=berta.id,
            metric_name="ARR",
            metric_unit="M$",
            target=14,
            monthly_plan=PLAN,
        )
        an11 = f.objective(
            session,
            ws,
            "AN1.1",
            level="cascaded",
            parent_id=an1.id,
            title="Win 40 new logos",
            owner_id=berta.id,
            metric_name="New logos",
            target=40,
            monthly_plan=[3, 6, 9, 12, 15, 18, 21, 24, 28, 32, 36, 40],
        )
        an2 = f.objective(
            session, ws, "AN2", parent_id=bt.id, title="Cut churn to 5%", owner_id=nate.id
        )
        f.objective(session, ws, "AN9", year=2026, title="Last year's", owner_id=nate.id)
        f.objective(
            session, ws, "AN8", title="Still in catchball", owner_id=nate.id, state="proposed"
        )
        people = {p.slack_user_id: p.id for p in (maya, berta, nate, otto)}
        objectives = {"BT1": bt.id, "AN1": an1.id, "AN1.1": an11.id, "AN2": an2.id}
        return Org(ws.id, people, objectives)


@dataclass
class Cycle:
    engine: Engine
    clock: ManualClock
    standin: SlackStandIn
    org: Org
    deliverer: Deliverer

    def at(self, *args) -> Cycle:
        self.clock.set(datetime(*args, tzinfo=UTC))
        return self

    def queue(self, period: str | None = None):
        return queue_monthly_prompts(self.engine, self.clock, period=period)

    def deliver(self):
        return deliver(self.deliverer)

    def remind(self):
        return send_reminders(self.engine, self.clock)

    def tick(self) -> None:
        """What the scheduler does at one moment: queue, deliver, remind, deliver."""
        self.queue()
        self.deliver()
        self.remind()
        self.deliver()

    def prompts(self, period: str | None = None) -> list[CheckInPrompt]:
        with Session(self.engine) as session:
            query = select(CheckInPrompt).order_by(CheckInPrompt.id)
            if period:
                query = query.where(CheckInPrompt.period == period)
            return list(session.exec(query))

    def prompt(self, user: str, period: str) -> CheckInPrompt:
        person_id = self.org.people[user]
        [found] = [p for p in self.prompts(period) if p.person_id == person_id]
        return found

    def dms(self, user: str) -> list:
        return self.standin.messages(user)

    def dm_texts(self, user: str) -> list[str]:
        return [m.text for m in self.dms(user)]

    def outbox(self) -> list[OutboxMessage]:
        with Session(self.engine) as session:
            return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))

    def set_person(self, user: str, **changes) -> None:
        with session_scope(self.engine) as session:
            person = session.get(Person, self.org.people[user])
            for name, value in changes.items():
                setattr(person, name, value)

    def check_in(self, ref: str, period: str, **fields) -> None:
        with session_scope(self.engine) as session:
            objective = session.get(Objective, self.org.objectives[ref])
            f.check_in(session, objective, period, person_id=objective.owner_id, **fields)

    def add_action(self, user: str, ref: str, title: str, due: date, state: str = "open") -> None:
        with session_scope(self.engine) as session:
            session.add(
                ActionItem(
                    workspace_id=self.org.workspace_id,
                    objective_id=self.org.objectives[ref],
                    title=title,
                    owner_id=self.org.people[user],
                    due=due,
                    state=state,
                )
            )


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(team_id=TEAM, bot_token=TOKEN, rate_limit_scale=SCALE) as s:
        for user, name in (("U0MAYA", "maya"), ("U0BERTA", "berta"), ("U0NATE", "nate")):
            s.add_user(user, name=name)
        s.add_user("U0OTTO", name="otto")
        yield s


@pytest.fixture
def cycle(engine: Engine, standin: SlackStandIn) -> Cycle:
    org = store_plan(engine)
    clock = ManualClock(datetime(2027, 2, 20, 12, 0, tzinfo=UTC))
    client = WebClient(token=TOKEN, base_url=standin.api_url, timeout=5, retry_handlers=[])
    limits = DeliveryLimits(scale=SCALE, doubt_grace_seconds=0.05, in_flight_lease_seconds=0.5)
    return Cycle(engine, clock, standin, org, Deliverer(engine, client, clock, limits=limits))
