"""What the reflection-posting tests share: the plan, a hand-built reflection, the job, delivery,
and reading the thread and the admins' alerts as Slack shows them."""

from __future__ import annotations

import struct
import time
import zlib
from datetime import datetime, timedelta

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    MarkdownTextObject,
    SectionBlock,
)
from sqlmodel import Session, select

from bot import ids
from bot.context import ReflectionRef
from bot.reflection.model import CarryOver, ReflectionMessage, ReflectionPost
from bot.services import Services
from schedules.delivery import Deliverer, make_delivery_client
from schedules.ratelimit import DeliveryLimits
from schedules.reflection_job import run_annual_reflection
from schedules.scheduler import JobContext, find_job
from storage.db import session_scope
from storage.models import Objective, Reflection, Workspace
from storage.outbox import queue as outbox
from tests import factories as f
from tests.e2e.seed import small_plan

LEAD = "C0LEAD"
PEOPLE = {"U0CEO": "Dana", "U0VP": "Ana", "U0MGR": "Mo"}
FAST = DeliveryLimits(backoff_base_seconds=0.05, doubt_grace_seconds=0.05)


def png(width: int = 4, height: int = 3) -> bytes:
    """A real PNG (RGB, 8 bits) of `height` rows, made by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\xc0\x20\x20" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def section(text: str) -> dict:
    return SectionBlock(text=MarkdownTextObject(text=text)).to_dict()


class FakeBuilder:
    """Builds the FY reflection by hand, as `bot.reflection.service` will; counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, session, workspace: Workspace, year: int, *, now: datetime):
        self.calls += 1
        an1 = session.exec(select(Objective).where(Objective.ref == "AN1")).one()
        value = ReflectionRef(workspace_id=workspace.id, year=year).dump()
        closing = ReflectionMessage(
            f"FY{year}: carry-overs for FY{year + 1}",
            [
                section(f"*Proposed for FY{year + 1}*\n• AN1 Grow ARR to 14 M$ — missed"),
                ActionsBlock(
                    block_id=ids.BLOCK_REFLECTION_ACTIONS,
                    elements=[
                        ButtonElement(
                            text=f"Start FY{year + 1} from these",
                            action_id=ids.ACTION_REFLECTION_CARRYOVER,
                            value=value,
                        )
                    ],
                ).to_dict(),
            ],
        )
        return ReflectionPost(
            year=year,
            summary=ReflectionMessage(
                f"FY{year} reflection", [section(f"*FY{year} reflection*: 1 of 2 hit")]
            ),
            replies=[
                ReflectionMessage("BT1 (1 of 2)", [section("*BT1* Double ARR: AN1 missed")]),
                ReflectionMessage("BT1 (2 of 2)", [section("*BT1* AN2 hit")]),
                closing,
            ],
            chart_png=png(),
            chart_filename=f"bowling-chart-{year}.png",
            chart_title=f"FY{year} bowling chart",
            carry_overs=[CarryOver(an1.id, "AN1", an1.title, "missed: 12.1 of 14 M$")],
            facts={"year": year, "hit": 1, "missed": 1},
        )


def setup_year(slack, *, lead: dict | None = None, leadership: str | None = LEAD) -> dict:
    """The small plan with a year of AN1 check-ins, its people and channels in Slack."""
    for user_id, name in PEOPLE.items():
        slack.standin.add_user(user_id, name=name.lower(), real_name=name)
    slack.standin.add_channel(LEAD, name="leadership", **(lead or {}))
    slack.standin.add_channel("C0HOSHIN", name="hoshin")
    small_plan(slack.engine)
    with session_scope(slack.engine) as session:
        workspace = session.exec(select(Workspace)).one()
        workspace.leadership_channel = leadership
        session.add(workspace)
        an1 = session.exec(select(Objective).where(Objective.ref == "AN1")).one()
        for month, actual in ((10, 11.8), (11, 12.0), (12, 12.1)):
            f.check_in(session, an1, f"2027-{month:02d}", actual=actual, status="off_track")
        return {"workspace_id": workspace.id, "AN1": an1.id}


def deliverer(slack) -> Deliverer:
    return Deliverer(slack.engine, make_delivery_client(slack.settings), slack.clock, limits=FAST)


def drain(slack, sender: Deliverer, rounds: int = 30) -> None:
    """Deliver until nothing is owed, moving the test's clock a second on between runs, so
    that rows deferred after a failure (by the clock delivery believes) come due."""
    for _ in range(rounds):
        sender.run_once()
        with session_scope(slack.engine) as session:
            if not outbox.pending_count(session):
                return
        slack.clock.advance(timedelta(seconds=1))


def run_job(slack, build, *, year: int | None = 2027, deliver: Deliverer | None = None):
    sender = deliver or deliverer(slack)
    return run_annual_reflection(
        slack.engine, slack.clock, year=year, build=build, deliver=lambda: drain(slack, sender)
    )


# ---- what Slack shows ---------------------------------------------------------------------------


def thread_of(slack, channel: str = LEAD):
    """The parent message and its thread replies (chart share included), in post order."""
    messages = slack.standin.messages(channel)
    parents = [m for m in messages if m.thread_ts is None]
    assert len(parents) == 1, [m.text for m in messages]
    replies = [m for m in messages if m.thread_ts == parents[0].ts]
    return parents[0], replies


def reflection_row(engine) -> Reflection:
    with Session(engine) as session:
        return session.exec(select(Reflection)).one()


def alerts(slack, admin: str = "U0CEO") -> list:
    """The admin's DMs about the reflection (held or failed parts)."""
    return [m for m in slack.standin.messages(admin) if "reflection" in m.text]


def click(slack, user: str, message, action_id: str) -> dict:
    """Press a button as `user`; return the bot's private answer."""
    return slack.answer_to(slack.ui.click(user, message, action_id), timeout=30)


def wait_until(slack, condition, what: str, timeout: float = 20.0) -> None:
    assert slack.standin.wait_for(lambda _s: condition(), timeout=timeout), f"never: {what}"


def finish_in_background(slack, *, timeout: float = 60.0) -> Reflection:
    """What the scheduler's `deliver` job does after a Try again: tick until the thread is whole
    (each tick sends what is queued, and a part sent queues the next)."""
    services = Services(settings=slack.settings, engine=slack.engine, clock=slack.clock)
    ctx = JobContext(services, limits=FAST)
    deadline = time.monotonic() + timeout
    while reflection_row(slack.engine).posted_at is None:
        assert time.monotonic() < deadline, "the thread was not finished in the background"
        find_job("deliver").run(ctx)
        slack.clock.advance(timedelta(seconds=1))  # rows deferred after a failure come due
        time.sleep(0.05)
    return reflection_row(slack.engine)
