"""Several `hoshin run` processes on Socket Mode, one database, the stand-in's Socket Mode.

Each instance holds one WebSocket link; Slack spreads the envelopes over the links, sends an
event again to another link when its ack is missing, and one instance leads the scheduler.
Checked here: one leader; a command acked in time and answered once; an event delivered to one
instance and again to the other kept once (the claims table); a button pressed on both at once
applied once; a `disconnect` followed by a new link; a kill -9 of the leader taken over.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot import ids
from bot.checkin.prompts import fiscal_year_of_period
from bot.periods import parse_period
from bot.review.threads import open_periods
from bot.standin import SlackStandIn
from bot.standin.inbound_socket import EnvelopeSender
from bot.standin.slack_side import SlackSide
from storage.db import make_engine
from storage.models import CheckIn, OutboxMessage, ProcessedEvent, Workspace
from tests import factories as f
from tests.e2e.conftest import visible
from tests.e2e.test_actions_e2e import action_named, audit_of
from tests.e2e.test_checkin_e2e import dm_event
from tests.ops.instances import (
    SCALE,
    TEAM,
    TOKEN,
    Instance,
    start,
    stop_all,
    wait_healthy,
    wait_until,
)

# Real processes racing real clocks (the lease, Slack's 3 s): run alone, after the rest.
pytestmark = pytest.mark.serial

ANA = "U0ANA0001"
ACK_SECONDS = 3.0
REPLY = "Quiet month; the two renewals moved to next quarter."
TROUBLE = ("ERROR", "CRITICAL", "RAW")  # RAW: a line that is not JSON, a traceback say


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(team_id=TEAM, bot_token=TOKEN, rate_limit_scale=SCALE) as s:
        s.add_user(ANA, name="ana", real_name="Ana")
        yield s


def seed_plan(engine) -> None:
    """Ana, an admin, owns AN1 in the fiscal year of both months open for check-ins now."""
    due, before = open_periods(Workspace(team_id=TEAM), datetime.now(UTC))
    start_month = parse_period(before)[1]  # so both months fall in one fiscal year
    with Session(engine) as session:
        ws = f.workspace(session, TEAM, fiscal_year_start_month=start_month)
        ana = f.person(session, ws, ANA, name="Ana", is_admin=True)
        year = fiscal_year_of_period(due, start_month)
        f.objective(session, ws, "AN1", title="Renew every key account", owner_id=ana.id, year=year)
        session.commit()


@dataclass
class Pair:
    engine: Engine
    a: Instance
    b: Instance
    links: list[str]  # one each, in the order they connected

    def leader_and_follower(self) -> tuple[Instance, Instance]:
        a, b = self.a, self.b
        assert wait_until(lambda: {a.role(), b.role()} == {"leader", "follower"}, 20), (
            a.role(),
            b.role(),
        )
        return (a, b) if a.role() == "leader" else (b, a)


@pytest.fixture
def pair(shared_url, standin, tmp_path) -> Iterator[Pair]:
    """Two instances on Socket Mode, both connected, over Ana's small plan."""
    engine = make_engine(shared_url)
    seed_plan(engine)
    a = start(shared_url, standin, tmp_path, "a", socket_mode=True)
    b = start(shared_url, standin, tmp_path, "b", socket_mode=True)
    try:
        wait_healthy(a, b)
        yield Pair(engine, a, b, standin.socket.wait_for_links(2, timeout=20))
    finally:
        stop_all(a, b)
        engine.dispose()


def asked_for_help(standin: SlackStandIn, sender: EnvelopeSender, link: str | None) -> str:
    """`/hoshin help` to one link: acked within 3 s, answered at its response_url."""
    delivery = sender.slash_command(to=link, user_id=ANA, text="help")
    assert delivery.status == 200 and delivery.elapsed < ACK_SECONDS, delivery
    url = delivery.response_url
    assert standin.wait_for(lambda s: s.response_posts(url), timeout=10), "no answer"
    assert "/hoshin help" in visible(standin.response_posts(url)[0])
    return url


def comments(engine) -> list[str]:
    with Session(engine) as session:
        return [c.comment for c in session.exec(select(CheckIn)) if c.comment]


def receipts(standin: SlackStandIn) -> list[str]:
    return [m.text for m in standin.messages(ANA) if "kept that as your comment" in m.text]


def claims_of(engine, key: str) -> int:
    with Session(engine) as session:
        return len(
            session.exec(select(ProcessedEvent).where(ProcessedEvent.event_key == key)).all()
        )


def dm_sent(engine, action_id: int) -> bool:
    with Session(engine) as session:
        post = session.exec(
            select(OutboxMessage).where(OutboxMessage.dedup_key == f"action-dm:{action_id}")
        ).one()
        return post.state == "sent"


def test_two_socket_mode_instances_share_the_envelopes_and_handle_each_once(pair, standin):
    engine, links = pair.engine, pair.links
    pair.leader_and_follower()  # exactly one runs the jobs
    sender = EnvelopeSender(standin, team_id=TEAM)

    # A command to each link: acked at once, answered once, by the instance that got it.
    answered = [asked_for_help(standin, sender, link) for link in links]

    # An event to one instance whose ack goes missing: Slack sends it to the other.
    delivery = sender.event(dm_event(ANA, REPLY), event_id="Ev0SOCKET1", to=links[0], lose_acks=1)
    assert delivery.status == 200
    first, again = standin.socket.envelope(delivery.envelope_id).deliveries
    assert (first.link, first.ack_lost) == (links[0], True)  # handled there, ack lost
    assert (again.link, again.retry_attempt, again.retry_reason) == (links[1], 1, "timeout")
    assert wait_until(lambda: receipts(standin), 15)  # the leader posted the receipt
    assert comments(engine) == [REPLY]  # not REPLY twice: the second copy found the claim
    assert claims_of(engine, "checkin.dm:Ev0SOCKET1") == 1

    # A modal over Socket Mode, then its DM's Done pressed on both instances at once.
    ui = SlackSide(sender, standin)
    view = ui.command_modal(ANA, "action AN1", ids.VIEW_ACTION)
    due = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    values = {ids.FIELD_TITLE: "Call both renewals", ids.FIELD_OWNER: ANA, ids.FIELD_DUE: due}
    assert ui.submit(ANA, view, values).json() is None  # the modal closed
    dm = ui.wait_dm_with(ANA, "New action for you on AN1")
    action = action_named(engine, "Call both renewals")
    assert wait_until(lambda: dm_sent(engine, action.id), 10)
    done = ui.buttons(dm)[ids.ACTION_ACTION_DONE]

    def press(link: str):
        return sender.block_action(
            to=link,
            user_id=ANA,
            action_id=ids.ACTION_ACTION_DONE,
            value=done["value"],
            block_id=ids.BLOCK_ACTION_BUTTONS,
            channel_id=dm.channel,
            message_ts=dm.ts,
        )

    with ThreadPoolExecutor(2) as pool:
        presses = list(pool.map(press, links))
    assert [p.status for p in presses] == [200, 200]
    assert {standin.socket.envelope(p.envelope_id).acked.link for p in presses} == set(links)
    assert wait_until(lambda: action_named(engine, "Call both renewals").state == "done", 10)
    marks = [m for m in audit_of(engine, action.id) if m[0] != "action.create"]
    assert len(marks) == 1, marks

    # Slack asks one link to refresh: its instance opens a new one and keeps answering.
    standin.socket.disconnect(links[0], "refresh_requested")
    moved = wait_until(
        lambda: links[0] not in (now := standin.socket.open_links) and len(now) == 2, 15
    )
    assert moved, standin.socket.open_links
    [new_link] = [link for link in standin.socket.open_links if link not in links]
    assert len(standin.calls_to("apps.connections.open")) == 3
    answered.append(asked_for_help(standin, sender, new_link))

    time.sleep(1)  # a second answer from anywhere would be in by now
    assert [len(standin.response_posts(url)) for url in answered] == [1, 1, 1]
    assert len(receipts(standin)) == 1
    assert comments(engine) == [REPLY]
    troubles = [
        line for x in (pair.a, pair.b) for line in x.log_lines() if line["level"] in TROUBLE
    ]
    assert troubles == []  # the lost ack, the retry and the new link went without an error


def test_kill_9_of_the_socket_mode_leader_the_other_takes_over_and_keeps_answering(pair, standin):
    engine = pair.engine
    leader, survivor = pair.leader_and_follower()
    sender = EnvelopeSender(standin, team_id=TEAM)

    leader.kill()
    killed_at = time.monotonic()
    [left] = standin.socket.wait_for_links(1, timeout=10)  # its link died with it

    # The survivor answers at once, before it leads: commands, and an event whose
    # receipt waits in the outbox for whoever leads next.
    asked_for_help(standin, sender, None)
    assert sender.event(dm_event(ANA, REPLY), event_id="Ev0AFTERKILL").status == 200
    assert wait_until(lambda: comments(engine) == [REPLY], 10)
    assert survivor.role() == "follower" and receipts(standin) == []  # a follower never posts

    assert wait_until(lambda: survivor.role() == "leader", 30), survivor.health()
    takeover = time.monotonic() - killed_at
    print(f"\nSocket Mode takeover after kill -9: {takeover:.1f} s")
    assert takeover < 30
    assert wait_until(lambda: receipts(standin), 15)  # the new leader delivered it
    asked_for_help(standin, sender, left)
    assert standin.socket.open_links == [left]
    assert survivor.process.poll() is None and survivor.health()[0] == 200
