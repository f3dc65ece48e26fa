"""A small plan in the database (both backends) and a hand that plays delivery's part."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.scope import Scope, load_scope
from storage.db import session_scope
from storage.models import Objective, OutboxMessage
from storage.outbox import claims, stops
from tests.e2e.conftest import TEAM
from tests.e2e.seed import small_plan

NOW = datetime(2027, 6, 15, 9, 0, tzinfo=UTC)
_ts = itertools.count(1)


@pytest.fixture
def plan(engine):
    small_plan(engine)
    return engine


def refs(engine) -> dict[str, int]:
    with Session(engine) as session:
        return {o.ref: o.id for o in session.exec(select(Objective))}


def scope_of(session, user_id: str) -> Scope:
    return load_scope(session, team_id=TEAM, user_id=user_id)


def deliver(engine, *, state: str = "sent", error: str = "not_in_channel") -> list[OutboxMessage]:
    """Settle every queued row as Slack would have: sent (with a ts), or held."""
    done = []
    with session_scope(engine) as session:
        for row in session.exec(
            select(OutboxMessage).where(OutboxMessage.state == "queued").order_by(OutboxMessage.id)
        ).all():
            claims.claim(session, message_id=row.id, at=NOW)
            if state == "sent":
                ts = row.payload.get("ts") or f"1780000000.{next(_ts):06d}"
                channel = row.channel if row.channel[0] in "CG" else "D" + row.channel[1:]
                claims.mark_sent(session, message_id=row.id, ts=ts, channel=channel, at=NOW)
            else:
                stops.hold(session, message_id=row.id, reason=error)
            done.append(row)
    return done


def rows(engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))
