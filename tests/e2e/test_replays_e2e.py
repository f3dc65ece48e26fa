"""Slack sending the same thing again: an event and all three of its retries, a button pressed
twice at the same moment, an action modal submitted twice at once. Each counts once.

(A check-in submitted twice at once and a catchball decision clicked twice at once are in
test_checkin_e2e.py and test_catchball_e2e.py.)
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlmodel import Session, select

from bot import ids
from storage.models import ActionItem, OutboxMessage
from tests.e2e.test_actions_e2e import (
    action_named,
    audit_of,
    click,
    dm_to,
    open_add_modal,
    setup_plan,
)
from tests.e2e.test_checkin_e2e import check_in_row, dm_event, setup_month, wait_thread


def at_once(count: int, send) -> list:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda i: send(i), range(count)))


def test_an_event_and_its_three_retries_arriving_together_are_kept_once(slack):
    refs = setup_month(slack)
    event = dm_event("U0VP", "Quiet month; pipeline rebuilt.")
    deliveries = at_once(
        4,
        lambda retry: slack.sender.event(
            event, event_id="Ev0RETRIED", retry_num=retry, retry_reason="http_timeout"
        ),
    )
    assert [d.status for d in deliveries] == [200] * 4
    wait_thread(slack, 2)  # Ana owns AN1 and AN2: one reply each
    assert slack.standin.wait_for(lambda s: s.messages("U0VP"), timeout=10)
    for ref in ("AN1", "AN2"):
        assert check_in_row(slack.engine, refs[ref]).comment == "Quiet month; pipeline rebuilt."
    _, replies = wait_thread(slack, 2)
    assert len(replies) == 2  # no third reply from a retry
    assert len(slack.standin.messages("U0VP")) == 1  # one receipt


def test_done_pressed_twice_at_the_same_moment_marks_once(slack):
    setup_plan(slack)
    view = open_add_modal(slack, "U0CEO", "action AN2")
    slack.submit(
        "U0CEO",
        view,
        {ids.FIELD_TITLE: "Exit interviews", ids.FIELD_OWNER: "U0VP", ids.FIELD_DUE: "2027-09-30"},
    )
    dm = dm_to(slack, "U0VP")
    deliveries = at_once(2, lambda _: click(slack, "U0VP", dm, ids.ACTION_ACTION_DONE))
    assert [d.status for d in deliveries] == [200, 200]
    slack.standin.wait_for_calls("chat.update", 1, timeout=10)
    action = action_named(slack.engine, "Exit interviews")
    assert action.state == "done"
    marks = [a for a in audit_of(slack.engine, action.id) if a[0] != "action.create"]
    assert len(marks) == 1, marks


def test_an_action_modal_submitted_twice_at_once_adds_one_action_and_one_dm(slack):
    setup_plan(slack)
    view = open_add_modal(slack, "U0CEO", "action AN2")
    values = {
        ids.FIELD_TITLE: "Win-back calls",
        ids.FIELD_OWNER: "U0VP",
        ids.FIELD_DUE: "2027-09-30",
    }
    acks = at_once(2, lambda _: slack.sender.submit_view(user_id="U0CEO", view=view, values=values))
    assert [a.status for a in acks] == [200, 200]
    dm_to(slack, "U0VP")
    with Session(slack.engine) as session:
        added = session.exec(select(ActionItem).where(ActionItem.title == "Win-back calls")).all()
        queued = session.exec(select(OutboxMessage)).all()
    assert len(added) == 1
    assert len(queued) == 1
    assert len(slack.standin.messages("U0VP")) == 1
