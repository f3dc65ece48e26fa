"""The monthly check-in end to end: the job queues, delivery sends, one DM per owner in Slack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot import ids
from bot.context import CheckInRef
from bot.services import Services
from bot.standin.blockkit import validate_message_blocks
from schedules.delivery import Deliverer, make_delivery_client
from schedules.jobs import deliver, queue_monthly_prompts, send_reminders
from schedules.scheduler import start_scheduler
from storage.models import CheckInPrompt, Objective
from tests.e2e.conftest import SlackBed, visible
from tests.e2e.seed import small_plan

PEOPLE = (("U0CEO", "dana"), ("U0VP", "ana"), ("U0MGR", "mo"))
# 1 June 2027 is a Tuesday; the workspace's timezone is UTC, its check-in time 09:00.
JUNE_FIRST = datetime(2027, 6, 1, 10, 0, tzinfo=UTC)


def seeded(slack: SlackBed) -> None:
    small_plan(slack.engine)
    for user, name in PEOPLE:
        slack.standin.add_user(user, name=name)


def starting(slack: SlackBed, prefix: str) -> dict[str, int]:
    return {
        user: sum(m.text.startswith(prefix) for m in slack.standin.messages(user))
        for user, _ in PEOPLE
    }


def recorded(slack: SlackBed, period: str) -> bool:
    """Every prompt of `period` recorded as delivered (so the clock may move on)."""
    with Session(slack.engine) as session:
        states = session.exec(
            select(CheckInPrompt.state).where(CheckInPrompt.period == period)
        ).all()
    return bool(states) and set(states) == {"sent"}


def test_the_job_queues_and_delivery_sends_one_dm_per_owner(slack: SlackBed):
    seeded(slack)
    slack.clock.set(JUNE_FIRST)
    deliverer = Deliverer(slack.engine, make_delivery_client(slack.settings), slack.clock)

    report = queue_monthly_prompts(slack.engine, slack.clock)
    delivered = deliverer.run_once()

    assert report.total == 2 and delivered.sent == 2
    assert starting(slack, "Monthly check-in") == {"U0CEO": 0, "U0VP": 1, "U0MGR": 1}
    [dm] = slack.standin.messages("U0MGR")
    assert validate_message_blocks(dm.blocks) == []
    text = visible({"text": dm.text, "blocks": dm.blocks})
    assert "True North* · Every team ships what customers love, safely." in text
    assert "*AN1.1* · Win 40 new mid-market logos" in text
    assert "New logos · plan for Jun: *18* · May actual: 12 :red_circle: off track" in text
    assert "`AN1.1` Hire two AEs — due 31 Mar 2027" in text
    with Session(slack.engine) as session:
        an11 = session.exec(select(Objective).where(Objective.ref == "AN1.1")).one()
        prompts = session.exec(select(CheckInPrompt)).all()
    [button] = [b["accessory"] for b in dm.blocks if "accessory" in b]
    assert button["action_id"] == ids.ACTION_CHECKIN_OPEN
    assert CheckInRef.parse(button["value"]) == CheckInRef(objective_id=an11.id, period="2027-06")
    [ana] = slack.standin.messages("U0VP")
    assert "*AN1* · Grow ARR to 14 M$" in visible({"blocks": ana.blocks})
    assert "*AN2* · Cut churn to 5%" in visible({"blocks": ana.blocks})

    # The job and delivery run again (a restart, a second tick): nothing is sent twice.
    calls = len(slack.standin.calls_to("chat.postMessage"))
    assert queue_monthly_prompts(slack.engine, slack.clock).total == 0
    assert deliverer.run_once().calls == 0
    assert len(slack.standin.calls_to("chat.postMessage")) == calls
    assert {p.period for p in prompts} == {"2027-06"} and len(prompts) == 2


def test_the_scheduler_prompts_reminds_and_escalates_as_the_clock_moves(slack: SlackBed):
    seeded(slack)
    slack.clock.set(JUNE_FIRST - timedelta(hours=2))
    services = Services(settings=slack.settings, engine=slack.engine, clock=slack.clock)
    scheduler = start_scheduler(
        services,
        every={"monthly-checkin": 0.1, "reminders": 0.1, "deliver": 0.05},
        only=("monthly-checkin", "reminders", "deliver"),
    )
    june, may = "Monthly check-in for Jun 2027", "Monthly check-in for May 2027"
    try:
        # At 08:00 June is not due yet: the latest period due is May, sent once on the first tick.
        assert slack.standin.wait_for(
            lambda s: starting(slack, may) == {"U0CEO": 0, "U0VP": 1, "U0MGR": 1}, timeout=10
        )
        assert not slack.standin.wait_for(lambda s: starting(slack, june)["U0VP"], timeout=0.5)
        slack.clock.set(JUNE_FIRST)
        assert slack.standin.wait_for(
            lambda s: starting(slack, june) == {"U0CEO": 0, "U0VP": 1, "U0MGR": 1}, timeout=10
        )
        # Delivery stamps a post with the clock's time once Slack answered: let it, first.
        assert slack.standin.wait_for(lambda s: recorded(slack, "2027-06"), timeout=10)
        slack.clock.advance(timedelta(days=3))
        assert slack.standin.wait_for(
            lambda s: starting(slack, "Reminder") == {"U0CEO": 0, "U0VP": 1, "U0MGR": 1},
            timeout=10,
        )
        slack.clock.advance(timedelta(days=4))
        # Mo's manager is Ana; Ana's is Dana.
        assert slack.standin.wait_for(
            lambda s: (
                starting(slack, "Mo has not checked in")["U0VP"] == 1
                and starting(slack, "Ana has not checked in")["U0CEO"] == 1
            ),
            timeout=10,
        )
        slack.clock.advance(timedelta(days=1))
        slack.standin.wait_for(lambda s: False, timeout=0.5)  # more ticks: nothing new
    finally:
        assert scheduler.stop(timeout=10)
    assert starting(slack, june) == {"U0CEO": 0, "U0VP": 1, "U0MGR": 1}
    assert starting(slack, may) == {"U0CEO": 0, "U0VP": 1, "U0MGR": 1}
    assert starting(slack, "Reminder: your check-in for Jun 2027") == {
        "U0CEO": 0,
        "U0VP": 1,
        "U0MGR": 1,
    }
    # Dana: one escalation; Ana: May and June prompts, a reminder, and Mo's escalation.
    assert len(slack.standin.messages("U0CEO")) == 1 and len(slack.standin.messages("U0VP")) == 4


def test_an_owner_checks_in_from_the_prompt_and_is_not_reminded(slack: SlackBed):
    seeded(slack)
    slack.standin.add_channel("C0HOSHIN", name="hoshin")
    slack.clock.set(JUNE_FIRST)
    deliverer = Deliverer(slack.engine, make_delivery_client(slack.settings), slack.clock)
    queue_monthly_prompts(slack.engine, slack.clock)
    deliver(deliverer)

    # Mo clicks the button of the DM he got, and answers in the modal it opens.
    [dm] = slack.standin.messages("U0MGR")
    [button] = [b["accessory"] for b in dm.blocks if "accessory" in b]
    opened = len(slack.standin.calls_to("views.open"))
    click = slack.sender.block_action(
        user_id="U0MGR",
        action_id=button["action_id"],
        value=button["value"],
        channel_id=dm.channel,
        message_ts=dm.ts,
    )
    assert click.status == 200
    assert slack.standin.wait_for(lambda s: len(s.calls_to("views.open")) > opened, timeout=10)
    view = slack.opened_view(ids.VIEW_CHECKIN)
    answer = {
        ids.FIELD_ACTUAL: "19",
        ids.FIELD_STATUS: "on_track",
        ids.FIELD_WHAT_HAPPENED: "Four logos signed",
        ids.FIELD_CHALLENGES: "",
        ids.FIELD_COUNTERMEASURE: "",
    }
    assert slack.submit("U0MGR", view, answer).json() is None  # the modal closed: stored

    slack.clock.advance(timedelta(days=8))
    report = send_reminders(slack.engine, slack.clock)
    deliver(deliverer)

    [workspace] = report.workspaces
    assert (workspace.reminded, workspace.escalated) == (1, 1)  # Ana's, not Mo's
    assert starting(slack, "Reminder") == {"U0CEO": 0, "U0VP": 1, "U0MGR": 0}
    assert starting(slack, "Mo has not checked in") == {"U0CEO": 0, "U0VP": 0, "U0MGR": 0}
    with Session(slack.engine) as session:
        states = {p.person_id: p.state for p in session.exec(select(CheckInPrompt))}
    assert sorted(states.values()) == ["answered", "sent"]
