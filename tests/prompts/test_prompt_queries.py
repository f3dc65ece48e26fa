"""A fan-out is batched: as many queries for 300 owners as for 5 (bar 500-row INSERT chunks)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, event, func, select
from sqlmodel import Session

from bot.clock import ManualClock
from schedules.jobs import queue_monthly_prompts, send_reminders
from storage.db import session_scope
from storage.models import ActionItem, CheckInPrompt, OutboxMessage, Workspace
from storage.models.review import PromptState
from storage.prompts import CHECKIN, open_prompts
from tests import factories as f

DUE = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@contextmanager
def counted(engine: Engine):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def organisation(engine: Engine, team: str, owners: int) -> int:
    """A manager and `owners` people with two objectives, last month's check-in, an overdue action."""
    with session_scope(engine) as session:
        for other in session.exec(select(Workspace)).scalars():
            other.suspended_reason = "another test's workspace"
        ws = f.workspace(session, team, timezone="Europe/Berlin", vision="North")
        boss = f.person(session, ws, f"U{team}BOSS", name="Boss")
        for i in range(owners):
            person = f.person(session, ws, f"U{team}{i:04d}", manager_id=boss.id)
            for n in (1, 2):
                objective = f.objective(
                    session, ws, f"AN{i}.{n}", owner_id=person.id, monthly_plan=[1.0] * 12
                )
                f.check_in(session, objective, "2027-02", actual=1)
            session.add(
                ActionItem(
                    workspace_id=ws.id,
                    objective_id=objective.id,
                    title="Late",
                    owner_id=person.id,
                    due=date(2027, 2, 1),
                )
            )
        return ws.id


def deliver_all(engine: Engine, workspace_id: int) -> None:
    """As if delivery had sent every prompt on the due date."""
    with session_scope(engine) as session:
        for prompt in session.exec(
            select(CheckInPrompt).where(CheckInPrompt.workspace_id == workspace_id)
        ).scalars():
            prompt.state, prompt.sent_at = PromptState.SENT, DUE


def test_queries_do_not_grow_with_the_number_of_owners(engine: Engine):
    clock = ManualClock(DUE)
    queue_counts, remind_counts = [], []
    for team, owners in (("SMALL", 5), ("LARGE", 300)):
        workspace_id = organisation(engine, team, owners)
        clock.set(DUE)
        with counted(engine) as statements:
            report = queue_monthly_prompts(engine, clock)
        queue_counts.append(len(statements))
        assert report.total == owners
        deliver_all(engine, workspace_id)
        clock.set(DUE + timedelta(days=8))
        with counted(engine) as statements:
            reminded = send_reminders(engine, clock)
        remind_counts.append(len(statements))
        assert [(w.reminded, w.escalated) for w in reminded.workspaces] == [(owners, owners)]
        with Session(engine) as session:
            posts = session.execute(
                select(func.count()).where(OutboxMessage.workspace_id == workspace_id)
            ).scalar_one()
        assert posts == 3 * owners  # a prompt, a reminder and an escalation each

    assert queue_counts[0] == queue_counts[1], queue_counts
    # 600 posts (reminders and escalations) are two INSERTs of up to 500 rows instead of one.
    assert remind_counts[1] == remind_counts[0] + 1, remind_counts


def test_open_prompts_serves_check_ins_and_hansei_each_with_its_own_idea_of_reminded_today(
    session: Session,
):
    """One query for both kinds: a check-in reminder today holds a hansei reminder back, a hansei
    reminder does not hold a check-in one back; each kind sees only its own prompts."""
    ws = f.workspace(session, "T0KINDS")
    boss = f.person(session, ws, "U0BOSS")
    owner = f.person(session, ws, "U0OWNER", manager_id=boss.id)
    sent = DUE - timedelta(days=8)
    rows = {
        (kind, period): CheckInPrompt(
            workspace_id=ws.id,
            person_id=owner.id,
            period=period,
            kind=kind,
            state=PromptState.SENT.value,
            due_at=sent,
            sent_at=sent,
        )
        for kind, period in ((CHECKIN, "2027-02"), ("hansei", "2026"))
    }
    session.add_all(rows.values())
    session.flush()
    window = {
        "remind_before": DUE - timedelta(days=3),
        "escalate_before": DUE - timedelta(days=7),
        "reminded_since": DUE - timedelta(days=1),
    }

    def found(kind: str, periods: list[str], recent_kinds):
        return open_prompts(
            session,
            workspace_id=ws.id,
            kind=kind,
            periods=periods,
            recent_kinds=recent_kinds,
            **window,
        )

    [checkin] = found(CHECKIN, ["2027-02", "2026"], (CHECKIN,))
    [hansei] = found("hansei", ["2026", "2027-02"], None)
    assert (checkin.period, hansei.year) == ("2027-02", 2026)
    assert checkin.manager_user_id == "U0BOSS" and not checkin.reminded_recently
    assert not hansei.reminded_recently

    rows[("hansei", "2026")].reminded_at = DUE - timedelta(hours=1)
    session.flush()
    [checkin] = found(CHECKIN, ["2027-02"], (CHECKIN,))
    assert not checkin.reminded_recently  # a hansei reminder does not hold a check-in one back
    [hansei] = found("hansei", ["2026"], None)
    assert hansei.reminded_at is not None and hansei.escalated_at is None  # still due escalation

    rows[("hansei", "2026")].reminded_at = None
    rows[(CHECKIN, "2027-02")].reminded_at = DUE - timedelta(hours=1)
    session.flush()
    [hansei] = found("hansei", ["2026"], None)
    assert hansei.reminded_recently  # a check-in reminder today holds the hansei one back
