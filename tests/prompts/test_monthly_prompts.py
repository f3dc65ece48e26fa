"""The monthly-checkin job: one prompt per owner per period, at each owner's own 09:00."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import ids
from bot.context import CheckInRef
from bot.periods import month_label
from bot.standin.blockkit import validate_message_blocks
from storage.db import session_scope
from storage.models import CheckInPrompt, Person, Workspace
from tests import factories as f
from tests.prompts.conftest import BERLIN, NEW_YORK, VISION, Cycle
from tests.text import visible_text

OWNERS = ("U0BERTA", "U0NATE")


def buttons(message) -> list[dict]:
    return [
        b["accessory"]
        for b in message.blocks or []
        if b.get("accessory", {}).get("type") == "button"
    ]


def test_one_prompt_per_owner_per_period_even_when_the_job_runs_twice(cycle: Cycle):
    cycle.at(2027, 3, 1, 15, 0)  # past 09:00 in Berlin and in New York

    first = cycle.queue()
    again = cycle.queue()
    cycle.deliver()
    cycle.queue()
    cycle.deliver()

    assert first.total == 2 and again.total == 0
    assert [q.line() for q in first.queued] == [
        "T0CYCLE 2027-03: 2 prompt(s) queued, 0 skipped (away), 0 unreachable"
    ]
    assert {u: len(cycle.dms(u)) for u in ("U0BERTA", "U0NATE", "U0MAYA", "U0OTTO")} == {
        "U0BERTA": 1,
        "U0NATE": 1,
        "U0MAYA": 0,  # owns only a breakthrough: nothing to check in on monthly
        "U0OTTO": 0,  # owns nothing
    }
    prompts = cycle.prompts()
    assert len(prompts) == 2 and {p.state for p in prompts} == {"sent"}
    # Where each DM landed is on its prompt, for updating it later.
    for user in OWNERS:
        [dm] = cycle.dms(user)
        prompt = cycle.prompt(user, "2027-03")
        assert (prompt.channel, prompt.ts) == (dm.channel, dm.ts)
        assert prompt.sent_at == datetime(2027, 3, 1, 15, 0, tzinfo=UTC)


def test_the_prompt_lists_plan_last_actual_overdue_actions_and_a_button_per_objective(
    cycle: Cycle,
):
    cycle.check_in("AN1", "2027-02", actual=10.5, status="at_risk")
    cycle.check_in("AN1", "2027-01", actual=10.2, status="on_track")  # not last month
    cycle.add_action("U0BERTA", "AN1.1", "Hire two AEs", date(2027, 2, 15), state="blocked")
    cycle.add_action("U0BERTA", "AN1.1", "Not due yet", date(2027, 4, 1))
    cycle.add_action("U0NATE", "AN2", "Nate's overdue action", date(2027, 2, 1))
    cycle.at(2027, 3, 1, 8, 30)  # Berlin is due, New York not yet

    cycle.queue()
    cycle.deliver()

    [dm] = cycle.dms("U0BERTA")
    assert validate_message_blocks(dm.blocks) == []
    text = visible_text(dm.blocks)
    assert f":compass: *True North* · {VISION}" in text
    assert "*AN1* · Grow ARR to 14 M$\nARR · plan for Mar: *10.9 M$* · Feb actual: 10.5 M$" in text
    assert "*AN1.1* · Win 40 new logos\nNew logos · plan for Mar: *9* · target 40" in text
    assert "`AN1.1` Hire two AEs — due 15 Feb 2027 (blocked)" in text
    assert "Not due yet" not in text and "Nate's overdue action" not in text
    assert "AN2" not in text and "AN9" not in text and "AN8" not in text and "BT1" not in text
    assert dm.text.startswith("Monthly check-in for Mar 2027: 2 objective(s)")
    refs = [CheckInRef.parse(b["value"]) for b in buttons(dm)]
    assert [(r.objective_id, r.period) for r in refs] == [
        (cycle.org.objectives["AN1"], "2027-03"),
        (cycle.org.objectives["AN1.1"], "2027-03"),
    ]
    assert {b["action_id"] for b in buttons(dm)} == {ids.ACTION_CHECKIN_OPEN}
    # In New York it is still February there: the first run sends February's prompt, not March's.
    assert [t.split(":")[0] for t in cycle.dm_texts("U0NATE")] == ["Monthly check-in for Feb 2027"]


@pytest.mark.parametrize(
    ("period", "start", "berlin_utc", "new_york_utc"),
    [
        # Winter time on both sides: 09:00 is 08:00 UTC in Berlin, 14:00 UTC in New York.
        ("2027-03", datetime(2027, 3, 1, 0, 0, tzinfo=UTC), 8, 14),
        # New York switched on 14 March, Berlin on 28 March: 07:00 and 13:00 UTC.
        ("2027-04", datetime(2027, 4, 1, 0, 0, tzinfo=UTC), 7, 13),
    ],
)
def test_each_owner_is_asked_at_nine_in_their_own_timezone(
    cycle: Cycle, period, start, berlin_utc, new_york_utc
):
    cycle.clock.set(start - timedelta(days=3))
    cycle.tick()  # last month's prompts, on the first run
    label = f"Monthly check-in for {month_label(period)}"
    arrived: dict[str, datetime] = {}
    for step in range(48):  # the whole first business day, every 30 minutes
        cycle.clock.set(start + timedelta(minutes=30 * step))
        cycle.tick()
        for user in OWNERS:
            if user not in arrived and any(t.startswith(label) for t in cycle.dm_texts(user)):
                arrived[user] = cycle.clock.now()

    assert arrived["U0BERTA"] == start.replace(hour=berlin_utc)
    assert arrived["U0NATE"] == start.replace(hour=new_york_utc)
    assert arrived["U0BERTA"].astimezone(ZoneInfo(BERLIN)).hour == 9
    assert arrived["U0NATE"].astimezone(ZoneInfo(NEW_YORK)).hour == 9
    assert {u: sum(t.startswith(label) for t in cycle.dm_texts(u)) for u in OWNERS} == {
        "U0BERTA": 1,
        "U0NATE": 1,
    }
    assert cycle.prompt("U0BERTA", period).due_at == arrived["U0BERTA"]


def test_a_month_of_downtime_sends_the_latest_month_only_and_once(cycle: Cycle):
    cycle.at(2027, 1, 15, 12, 0)
    cycle.tick()
    assert {p.period for p in cycle.prompts()} == {"2027-01"}

    cycle.at(2027, 3, 10, 12, 0)  # down through all of February and the March due date
    cycle.tick()
    cycle.at(2027, 3, 10, 12, 5)
    cycle.tick()

    assert sorted({p.period for p in cycle.prompts()}) == ["2027-01", "2027-03"]
    for user in OWNERS:
        texts = cycle.dm_texts(user)
        assert [t.split(":")[0] for t in texts if t.startswith("Monthly")] == [
            "Monthly check-in for Jan 2027",
            "Monthly check-in for Mar 2027",
        ]


def test_away_and_unreachable_owners_are_skipped_for_the_month(cycle: Cycle):
    cycle.set_person("U0BERTA", away_until=date(2027, 3, 1))  # away on the due day itself
    cycle.set_person("U0NATE", unreachable_reason="account_inactive")
    cycle.at(2027, 3, 1, 15, 0)

    report = cycle.queue()
    cycle.deliver()
    cycle.at(2027, 3, 20, 15, 0)  # back from holiday later in the month: still not asked
    cycle.set_person("U0BERTA", away_until=None)
    cycle.tick()

    assert report.queued[0].line() == (
        "T0CYCLE 2027-03: 0 prompt(s) queued, 1 skipped (away), 1 unreachable"
    )
    assert cycle.prompt("U0BERTA", "2027-03").state == "skipped"
    assert cycle.prompt("U0NATE", "2027-03").state == "unreachable"
    assert cycle.dms("U0BERTA") == [] and cycle.dms("U0NATE") == []
    assert cycle.outbox() == []

    cycle.at(2027, 4, 1, 8, 0)  # next month Berta is asked again
    cycle.tick()
    assert len(cycle.dms("U0BERTA")) == 1


def test_away_until_the_day_before_is_asked(cycle: Cycle):
    cycle.set_person("U0BERTA", away_until=date(2027, 2, 28))
    cycle.at(2027, 3, 1, 8, 0)
    cycle.tick()
    assert cycle.prompt("U0BERTA", "2027-03").state == "sent"


def test_a_period_given_by_an_operator_is_queued_whatever_the_time(cycle: Cycle):
    cycle.at(2027, 2, 10, 12, 0)
    report = cycle.queue(period="2027-03")

    assert report.total == 2
    assert cycle.prompt("U0BERTA", "2027-03").due_at == datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    assert cycle.prompt("U0NATE", "2027-03").due_at == datetime(2027, 3, 1, 14, 0, tzinfo=UTC)
    assert cycle.queue(period="2027-03").total == 0
    assert cycle.queue().total == 2  # February's, due now, are separate prompts


def test_a_dm_that_slack_refuses_for_good_makes_the_prompt_unreachable(cycle: Cycle):
    cycle.standin.set_user("U0NATE", deleted=True)
    cycle.at(2027, 3, 1, 15, 0)
    cycle.tick()

    assert cycle.prompt("U0NATE", "2027-03").state == "unreachable"
    assert cycle.prompt("U0BERTA", "2027-03").state == "sent"
    with session_scope(cycle.engine) as session:
        assert session.get(Person, cycle.org.people["U0NATE"]).unreachable_reason


def test_a_suspended_workspace_is_left_alone(cycle: Cycle):
    with session_scope(cycle.engine) as session:
        session.get(Workspace, cycle.org.workspace_id).suspended_reason = "token_revoked"
    cycle.at(2027, 3, 1, 15, 0)
    assert cycle.queue().total == 0 and cycle.prompts() == []


def test_a_spring_forward_night_asks_exactly_once_just_after_the_gap(cycle: Cycle):
    # Cairo springs forward at 00:00 on Friday 30 April 2027, a business day: 00:30 never
    # happens there that night, so the prompt goes at 01:30 local (22:30 UTC), once.
    with session_scope(cycle.engine) as session:
        ws = session.get(Workspace, cycle.org.workspace_id)
        ws.checkin_business_day, ws.checkin_time = 22, "00:30"
        cairo = f.person(session, ws, "U0CAIRO", name="Karim", timezone="Africa/Cairo")
        f.objective(session, ws, "AN5", title="Open Cairo", owner_id=cairo.id)
    cycle.standin.add_user("U0CAIRO", name="karim")
    cycle.at(2027, 4, 29, 12, 0)
    cycle.tick()  # April's earlier periods: March's prompt on the first run
    sent_before = len(cycle.dms("U0CAIRO"))
    arrived = []
    for step in range(48):
        cycle.clock.set(datetime(2027, 4, 29, 18, 0, tzinfo=UTC) + timedelta(minutes=15 * step))
        cycle.tick()
        if len(cycle.dms("U0CAIRO")) > sent_before + len(arrived):
            arrived.append(cycle.clock.now())
    assert arrived == [datetime(2027, 4, 29, 22, 30, tzinfo=UTC)]


def test_a_prompt_answered_before_its_delivery_was_recorded_keeps_its_state(cycle: Cycle):
    cycle.at(2027, 3, 1, 15, 0)
    cycle.queue()
    with session_scope(cycle.engine) as session:  # answered in a flash, as the check-in does it
        prompt = session.get(CheckInPrompt, cycle.prompt("U0BERTA", "2027-03").id)
        prompt.state = "answered"
    cycle.deliver()

    [dm] = cycle.dms("U0BERTA")
    prompt = cycle.prompt("U0BERTA", "2027-03")
    assert (prompt.state, prompt.channel, prompt.ts) == ("answered", dm.channel, dm.ts)
    assert cycle.prompt("U0NATE", "2027-03").state == "sent"


def test_a_prompt_that_cannot_be_built_stops_no_other_owners(cycle: Cycle, monkeypatch):
    # One owner's prompt raising in its builder must not roll back the workspace's others: they
    # are queued, the one is named in the job's errors, and the next run asks that owner again.
    import bot.checkin.prompts

    real = bot.checkin.prompts.checkin_prompt

    def fails_for_berta(ask):
        if ask.owner_user_id == "U0BERTA":
            raise ValueError("a builder bug")
        return real(ask)

    monkeypatch.setattr(bot.checkin.prompts, "checkin_prompt", fails_for_berta)
    cycle.at(2027, 3, 1, 15, 0)

    report = cycle.queue()
    cycle.deliver()

    assert report.total == 1
    assert report.errors == ["T0CYCLE 2027-03 prompt of U0BERTA: ValueError"]
    assert len(cycle.dms("U0NATE")) == 1 and not cycle.dms("U0BERTA")
    monkeypatch.setattr(bot.checkin.prompts, "checkin_prompt", real)
    assert cycle.queue().total == 1
    cycle.deliver()
    assert len(cycle.dms("U0BERTA")) == 1 and len(cycle.dms("U0NATE")) == 1
