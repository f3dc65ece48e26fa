"""Reminders and escalation: one reminder after N days, one note to the manager, never more."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.context import CheckInRef
from bot.standin.blockkit import validate_message_blocks
from storage.db import session_scope
from storage.models import CheckInPrompt
from tests.prompts.conftest import Cycle
from tests.text import visible_text

MARCH_FIRST = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)  # both owners' March prompts are due


def reminders(cycle: Cycle, user: str) -> list:
    return [m for m in cycle.dms(user) if m.text.startswith("Reminder")]


def escalations(cycle: Cycle, about: str) -> list:
    return [m for m in cycle.dms("U0MAYA") if m.text.startswith(about)]


def run_hourly(
    cycle: Cycle, start: datetime, hours: int, on_hour=None, *, every: int = 3, seen=None
) -> dict[str, datetime]:
    """Tick every few hours; returns when each owner's first reminder and escalation arrived."""
    seen = {} if seen is None else seen
    for hour in range(0, hours, every):
        cycle.clock.set(start + timedelta(hours=hour))
        if on_hour:
            on_hour(cycle.clock.now())
        cycle.tick()
        for user, name in (("U0BERTA", "Berta"), ("U0NATE", "Nate")):
            if reminders(cycle, user):
                seen.setdefault(f"remind {user}", cycle.clock.now())
            if escalations(cycle, name):
                seen.setdefault(f"escalate {user}", cycle.clock.now())
    return seen


def prompted(cycle: Cycle) -> None:
    """February's prompts answered, March's sent on 1 March at 15:00 UTC."""
    for ref in ("AN1", "AN1.1", "AN2"):
        cycle.check_in(ref, "2027-02", actual=1)
    cycle.clock.set(MARCH_FIRST - timedelta(days=20))
    cycle.tick()
    cycle.clock.set(MARCH_FIRST)
    cycle.tick()
    assert {p.state for p in cycle.prompts("2027-03")} == {"sent"}


def test_one_reminder_after_n_days_and_the_manager_told_once_after_m(cycle: Cycle):
    prompted(cycle)

    seen = run_hourly(cycle, MARCH_FIRST, 24 * 12)

    three_days, seven_days = MARCH_FIRST + timedelta(days=3), MARCH_FIRST + timedelta(days=7)
    assert seen == {
        "remind U0BERTA": three_days,
        "remind U0NATE": three_days,
        "escalate U0BERTA": seven_days,
        "escalate U0NATE": seven_days,
    }
    assert len(reminders(cycle, "U0BERTA")) == 1 and len(reminders(cycle, "U0NATE")) == 1
    assert len(escalations(cycle, "Berta")) == 1 and len(escalations(cycle, "Nate")) == 1
    [reminder] = reminders(cycle, "U0BERTA")
    assert validate_message_blocks(reminder.blocks) == []
    assert "your check-in for *Mar 2027* is still open for 2 objective(s)" in visible_text(
        reminder.blocks
    )
    values = [b["accessory"]["value"] for b in reminder.blocks if "accessory" in b]
    assert {CheckInRef.parse(v).objective_id for v in values} == {
        cycle.org.objectives["AN1"],
        cycle.org.objectives["AN1.1"],
    }
    [note] = escalations(cycle, "Berta")
    assert validate_message_blocks(note.blocks) == []
    text = visible_text(note.blocks)
    assert "<@U0BERTA> has not checked in for *Mar 2027* on 2 objective(s), 7 day(s)" in text
    assert "*AN1* Grow ARR to 14 M$" in text and "*AN1.1* Win 40 new logos" in text
    prompt = cycle.prompt("U0BERTA", "2027-03")
    assert (prompt.reminded_at, prompt.escalated_at) == (three_days, seven_days)


def test_no_reminder_after_answering_and_only_the_open_objectives_otherwise(cycle: Cycle):
    prompted(cycle)

    def answer(now: datetime) -> None:
        if now == MARCH_FIRST + timedelta(days=1):
            cycle.check_in("AN2", "2027-03", actual=6.5, status="at_risk")  # Nate: all done
            cycle.check_in("AN1", "2027-03", actual=10.9, status="on_track")  # Berta: one of two

    seen = run_hourly(cycle, MARCH_FIRST, 24 * 9, on_hour=answer)

    assert "remind U0NATE" not in seen and "escalate U0NATE" not in seen
    assert cycle.prompt("U0NATE", "2027-03").state == "answered"
    [reminder] = reminders(cycle, "U0BERTA")
    values = [b["accessory"]["value"] for b in reminder.blocks if "accessory" in b]
    assert [CheckInRef.parse(v).objective_id for v in values] == [cycle.org.objectives["AN1.1"]]
    assert "on 1 objective(s)" in escalations(cycle, "Berta")[0].text


def test_nobody_is_reminded_while_away(cycle: Cycle):
    prompted(cycle)
    cycle.set_person("U0BERTA", away_until=date(2027, 3, 10))  # left after the prompt came

    seen = run_hourly(cycle, MARCH_FIRST, 24 * 9 + 3)  # to 10 March, 18:00 UTC
    run_hourly(cycle, datetime(2027, 3, 10, 19, tzinfo=UTC), 12, every=1, seen=seen)

    # Back on 11 March (midnight in Berlin is 23:00 UTC): reminded, and the manager told, once.
    back = datetime(2027, 3, 10, 23, 0, tzinfo=UTC)
    assert seen["remind U0BERTA"] == back and seen["escalate U0BERTA"] == back
    assert len(reminders(cycle, "U0BERTA")) == 1 and len(escalations(cycle, "Berta")) == 1
    assert seen["remind U0NATE"] == MARCH_FIRST + timedelta(days=3)


def test_never_twice_in_a_day_even_across_prompts(cycle: Cycle):
    prompted(cycle)
    # Someone (an operator's re-run) reminded Berta about February this very morning.
    with session_scope(cycle.engine) as session:
        february = session.get(CheckInPrompt, cycle.prompt("U0BERTA", "2027-02").id)
        february.reminded_at = MARCH_FIRST + timedelta(days=3) - timedelta(hours=2)

    seen = run_hourly(cycle, MARCH_FIRST, 24 * 5)

    assert seen["remind U0NATE"] == MARCH_FIRST + timedelta(days=3)
    # Held back until 20 hours after the other reminder.
    assert seen["remind U0BERTA"] == MARCH_FIRST + timedelta(days=3, hours=18)


def test_a_superseded_period_is_not_reminded(cycle: Cycle):
    cycle.clock.set(datetime(2027, 2, 1, 15, 0, tzinfo=UTC))
    cycle.tick()  # February's prompts; nobody answers
    cycle.clock.set(datetime(2027, 3, 2, 12, 0, tzinfo=UTC))  # down from 2 Feb to 2 March
    cycle.tick()

    assert {p.period: p.reminded_at for p in cycle.prompts("2027-02")} == {"2027-02": None}
    assert all(not m.text.startswith("Reminder") for m in cycle.dms("U0BERTA"))
    assert cycle.prompt("U0BERTA", "2027-03").state == "sent"


def test_reminders_are_outbox_rows_with_a_key_per_prompt(cycle: Cycle):
    prompted(cycle)
    cycle.clock.set(MARCH_FIRST + timedelta(days=8))
    first = cycle.remind()
    again = cycle.remind()
    keys = [r.dedup_key for r in cycle.outbox() if not r.dedup_key.startswith("checkin-prompt")]
    berta = cycle.prompt("U0BERTA", "2027-03").id
    assert f"checkin-reminder:{berta}" in keys and f"checkin-escalation:{berta}" in keys
    assert len(keys) == 4
    assert [w.reminded for w in first.workspaces] == [2]
    assert [w.reminded for w in again.workspaces] == [0]
