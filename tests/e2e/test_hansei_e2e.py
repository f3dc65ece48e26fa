"""The hansei end to end: the job's DMs, Reflect → modal → stored once → edited, reminders,
escalation, refusals, the closed year and the App Home, through signed requests."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from bot import ids
from bot.context import HanseiRef
from bot.services import Services
from bot.standin.blockkit import validate_message_blocks
from schedules.delivery import Deliverer, make_delivery_client
from schedules.hansei import run_hansei_prompts
from schedules.jobs import deliver, record_deliveries, send_reminders
from schedules.scheduler import start_scheduler
from storage.db import session_scope
from storage.models import (
    AuditEntry,
    CheckInPrompt,
    HanseiAnswer,
    Objective,
    OutboxMessage,
    Person,
)
from tests.e2e.conftest import SlackBed, visible
from tests.e2e.seed import small_plan
from tests.e2e.test_home_e2e import open_home, wait_for_home

PEOPLE = (("U0CEO", "Dana"), ("U0VP", "Ana"), ("U0MGR", "Mo"))
# FY2027 (January start, 3 weeks): due Friday 10 December 2027, 09:00 in the workspace (UTC).
DUE = datetime(2027, 12, 10, 9, 0, tzinfo=UTC)
ANSWER = {
    ids.FIELD_WENT_WELL: "Weekly pipeline reviews caught slipping deals early.",
    ids.FIELD_WENT_BADLY: "Legal reviews took six weeks on average.",
    ids.FIELD_ROOT_CAUSES: "No standard contract; every deal negotiated from scratch.",
    ids.FIELD_LEARNED: "",
    ids.FIELD_CARRY_OVER: "A standard contract by March. " * 100,  # 3,000 characters
}


class Bed:
    def __init__(self, slack: SlackBed) -> None:
        self.slack = slack
        self.deliverer = Deliverer(slack.engine, make_delivery_client(slack.settings), slack.clock)

    def run(self, year: int | None = None):
        return run_hansei_prompts(self.slack.engine, self.slack.clock, year=year)

    def deliver(self):
        return deliver(self.deliverer)

    def remind(self):
        return send_reminders(self.slack.engine, self.slack.clock)

    def dms(self, user: str, prefix: str = "") -> list:
        return [m for m in self.slack.standin.messages(user) if m.text.startswith(prefix)]

    def prompt_dm(self, user: str):
        [dm] = self.dms(user, "Year-end reflection")
        return dm

    def ids(self) -> dict[str, int]:
        with Session(self.slack.engine) as session:
            return {o.ref: o.id for o in session.exec(select(Objective))}

    def click(self, user: str, value: str, message=None):
        delivery = self.slack.sender.block_action(
            user_id=user,
            action_id=ids.ACTION_HANSEI_OPEN,
            value=value,
            channel_id=message.channel if message else "D" + user[1:],
            message_ts=message.ts if message else "1800000000.000100",
        )
        assert delivery.status == 200, delivery.body
        return delivery

    def open_modal(self, user: str, value: str, message=None) -> dict:
        before = len(self.slack.standin.calls_to("views.open"))
        self.click(user, value, message)
        assert self.slack.standin.wait_for(
            lambda s: len(s.calls_to("views.open")) > before, timeout=10
        )
        return self.slack.opened_view(ids.VIEW_HANSEI)

    def answers(self) -> list[HanseiAnswer]:
        with Session(self.slack.engine) as session:
            return list(session.exec(select(HanseiAnswer).order_by(HanseiAnswer.id)))

    def prompts(self) -> dict[str, CheckInPrompt]:
        with Session(self.slack.engine) as session:
            rows = session.exec(
                select(Person.slack_user_id, CheckInPrompt)
                .join(Person, Person.id == CheckInPrompt.person_id)
                .where(CheckInPrompt.kind == "hansei")
            ).all()
        return {user: prompt for user, prompt in rows}


def seeded(slack: SlackBed, **mo: object) -> Bed:
    small_plan(slack.engine)
    for user, name in PEOPLE:
        slack.standin.add_user(user, name=name.lower(), real_name=name)
    if mo:
        with session_scope(slack.engine) as session:
            person = session.exec(select(Person).where(Person.slack_user_id == "U0MGR")).one()
            for key, value in mo.items():
                setattr(person, key, value)
    slack.clock.set(DUE)
    return Bed(slack)


def buttons(message) -> list[dict]:
    return [
        b["accessory"] for b in message.blocks if b.get("accessory", {}).get("type") == "button"
    ]


def text_of(message) -> str:
    return visible({"text": message.text, "blocks": message.blocks})


# ---- the job ------------------------------------------------------------------------------------


def test_the_job_queues_and_delivers_one_dm_per_owner_once(slack: SlackBed):
    bed = seeded(slack, away_until=date(2027, 12, 31))  # Mo is away: asked all the same
    with session_scope(slack.engine) as session:
        ws = session.exec(select(Person).where(Person.slack_user_id == "U0CEO")).one()
        workspace_id = ws.workspace_id
        gone = Person(workspace_id=workspace_id, slack_user_id="U0GONE", name="Gone",
                      unreachable_reason="account_inactive")  # fmt: skip
        session.add(gone)
        session.flush()
        an3 = Objective(workspace_id=workspace_id, ref="AN3", level="annual", year=2027,
                        title="Left with its owner", owner_id=gone.id)  # fmt: skip
        session.add(an3)
    slack.clock.set(DUE - timedelta(minutes=1))
    assert bed.run().total == 0  # not yet

    slack.clock.set(DUE)
    report = bed.run()
    delivered = bed.deliver()

    assert report.total == 2 and delivered.delivery.sent == 2
    [queued] = report.queued
    assert (queued.year, queued.away, queued.unreachable) == (2027, 1, 1)
    assert "T0ACME FY2027: 2 hansei prompt(s) queued (1 to people away), 1 unreachable" in (
        report.text()
    )
    assert bed.dms("U0CEO") == []  # Dana owns only the breakthrough
    mo = bed.prompt_dm("U0MGR")
    assert validate_message_blocks(mo.blocks) == []
    shown = text_of(mo)
    assert "True North* · Every team ships what customers love, safely." in shown
    assert "*AN1.1* · Win 40 new mid-market logos" in shown
    assert "New logos · target *40* · latest actual *12* (May 2027) :red_circle: off track" in shown
    objective_ids = bed.ids()
    [button] = buttons(mo)
    assert button["action_id"] == ids.ACTION_HANSEI_OPEN and button["text"]["text"] == "Reflect"
    assert HanseiRef.parse(button["value"]) == HanseiRef(
        objective_id=objective_ids["AN1.1"], year=2027
    )
    ana = bed.prompt_dm("U0VP")
    assert [HanseiRef.parse(b["value"]).objective_id for b in buttons(ana)] == [
        objective_ids["AN1"],
        objective_ids["AN2"],
    ]
    assert "ARR · target *14 M$* · no check-in this year" in text_of(ana)
    prompts = bed.prompts()
    assert {u: p.state for u, p in prompts.items()} == {
        "U0VP": "sent",
        "U0MGR": "sent",
        "U0GONE": "unreachable",
    }
    assert {p.period for p in prompts.values()} == {"2027"} and prompts["U0MGR"].ts == mo.ts

    # Run again (a restart, another instance, the next tick, an operator's --year): nothing new.
    posts = len(slack.standin.calls_to("chat.postMessage"))
    assert bed.run().total == 0 and bed.run(year=2027).total == 0
    assert bed.deliver().delivery.calls == 0
    assert len(slack.standin.calls_to("chat.postMessage")) == posts
    with Session(slack.engine) as session:
        keys = [o.dedup_key for o in session.exec(select(OutboxMessage))]
    assert sorted(k.split(":")[0] for k in keys) == ["hansei-prompt", "hansei-prompt"]


def test_year_runs_now_and_a_closed_year_queues_nothing(slack: SlackBed):
    bed = seeded(slack)
    slack.clock.set(datetime(2027, 6, 15, 12, tzinfo=UTC))
    assert bed.run().total == 0  # June: nothing is due
    report = bed.run(year=2027)  # an operator: now, whatever the date
    assert report.total == 2
    slack.clock.set(datetime(2028, 2, 1, 9, tzinfo=UTC))
    assert bed.run().total == 0
    closed = bed.run(year=2026)
    assert (
        closed.total == 0 and "T0ACME FY2026: answers are closed; nothing queued" in closed.text()
    )


# ---- answering -----------------------------------------------------------------------------------


def test_reflect_opens_the_modal_which_checks_stores_once_and_edits(slack: SlackBed):
    bed = seeded(slack)
    bed.run()
    bed.deliver()
    dm = bed.prompt_dm("U0MGR")
    [button] = buttons(dm)
    view = bed.open_modal("U0MGR", button["value"], dm)
    shown = visible(view)
    assert "*AN1.1* · Win 40 new mid-market logos" in shown and "*Target*\n40" in shown
    assert (
        "*Latest actual*\n12 (May 2027)" in shown and view["title"]["text"] == "Year-end reflection"
    )

    # Required fields missing: inline errors, nothing stored.
    ack = slack.submit(
        "U0MGR", view, {**ANSWER, ids.FIELD_WENT_WELL: " ", ids.FIELD_WENT_BADLY: ""}
    ).json()
    assert ack["response_action"] == "errors"
    assert set(ack["errors"]) == {ids.FIELD_WENT_WELL, ids.FIELD_WENT_BADLY}
    assert "what went well" in ack["errors"][ids.FIELD_WENT_WELL]
    assert bed.answers() == []

    # Submitted twice at once (a double click): both close the modal, stored once.
    with ThreadPoolExecutor(2) as pool:
        acks = list(pool.map(lambda _: slack.submit("U0MGR", view, ANSWER), range(2)))
    assert [a.json() for a in acks] == [None, None]
    [row] = bed.answers()
    assert row.went_well == ANSWER[ids.FIELD_WENT_WELL] and row.learned is None
    assert row.carry_over == ANSWER[ids.FIELD_CARRY_OVER].strip() and len(row.carry_over) > 2900
    assert row.year == 2027 and row.objective_id == bed.ids()["AN1.1"]
    # A later replay of that same submission, even with other words, changes nothing.
    replay = {**ANSWER, ids.FIELD_WENT_WELL: "Replayed"}
    assert slack.submit("U0MGR", view, replay).json() is None
    assert [a.went_well for a in bed.answers()] == [ANSWER[ids.FIELD_WENT_WELL]]

    # The DM is rebuilt in place: AN1.1 marked done, its button now edits.
    def updated(s):
        current = next(m for m in s.messages("U0MGR") if m.ts == dm.ts)
        return ":white_check_mark: *AN1.1*" in text_of(current) and current

    assert slack.standin.wait_for(updated, timeout=10)
    current = updated(slack.standin)
    assert "*1 of 1 done* — thank you!" in text_of(current)
    assert [b["text"]["text"] for b in buttons(current)] == ["Edit"]
    assert len(bed.dms("U0MGR")) == 1  # updated, not a second message
    assert bed.prompts()["U0MGR"].state == "answered"

    # Edit: the modal comes back filled in; saving updates the same row.
    view = bed.open_modal("U0MGR", buttons(current)[0]["value"], current)
    assert view["title"]["text"] == "Edit reflection"
    assert ANSWER[ids.FIELD_WENT_WELL] in json.dumps(view)
    edited = {**ANSWER, ids.FIELD_LEARNED: "Start legal early."}
    assert slack.submit("U0MGR", view, edited).json() is None
    [row] = bed.answers()
    assert row.learned == "Start legal early." and row.went_well == ANSWER[ids.FIELD_WENT_WELL]
    with Session(slack.engine) as session:
        audit = session.exec(select(AuditEntry).where(AuditEntry.entity == "hansei_answer")).all()
    assert [a.action for a in audit] == ["hansei.create", "hansei.update"]


def test_only_the_owner_may_reflect_and_a_closed_year_is_final(slack: SlackBed):
    bed = seeded(slack)
    bed.run()
    bed.deliver()
    an11 = HanseiRef(objective_id=bed.ids()["AN1.1"], year=2027).dump()
    answer = slack.answer_to(bed.click("U0VP", an11))  # Ana owns AN1, not AN1.1
    assert answer["response_type"] == "ephemeral"
    assert (
        "Only <@U0MGR>, its owner, can write the year-end reflection on `AN1.1`" in answer["text"]
    )
    assert not slack.standin.calls_to("views.open")

    # A modal of Mo's, submitted as Ana: refused inline, nothing stored.
    view = bed.open_modal("U0MGR", an11)
    ack = slack.submit("U0VP", view, ANSWER).json()
    assert ack["response_action"] == "errors"
    assert "Only <@U0MGR>, its owner" in ack["errors"][ids.FIELD_WENT_WELL]
    assert bed.answers() == []

    # Once next year's second check-in fell due (1 February 2028, 09:00) the year is final.
    slack.clock.set(datetime(2028, 2, 1, 9, 0, tzinfo=UTC))
    ack = slack.submit("U0MGR", view, ANSWER).json()
    assert "Reflections on FY2027 closed on" in ack["errors"][ids.FIELD_WENT_WELL]
    assert bed.answers() == []
    answer = slack.answer_to(bed.click("U0MGR", an11))
    assert "Reflections on FY2027 closed" in answer["text"]


def test_before_the_prompt_nobody_can_reflect(slack: SlackBed):
    bed = seeded(slack)
    slack.clock.set(datetime(2027, 11, 1, 12, tzinfo=UTC))
    an11 = HanseiRef(objective_id=bed.ids()["AN1.1"], year=2027).dump()
    answer = slack.answer_to(bed.click("U0MGR", an11))
    assert "The year-end reflection on FY2027 opens on" in answer["text"]
    assert not slack.standin.calls_to("views.open")


# ---- reminders and escalation --------------------------------------------------------------------


def test_reminders_then_managers_as_for_check_ins(slack: SlackBed):
    bed = seeded(slack)
    bed.run()
    bed.deliver()
    # Ana reflects on AN1 only; Mo on nothing.
    ana = bed.prompt_dm("U0VP")
    view = bed.open_modal("U0VP", buttons(ana)[0]["value"], ana)
    assert slack.submit("U0VP", view, ANSWER).json() is None
    bed.deliver()
    # Mo was reminded about his check-in an hour ago: no second reminder within a day.
    with session_scope(slack.engine) as session:
        mo = session.exec(select(Person).where(Person.slack_user_id == "U0MGR")).one()
        session.add(CheckInPrompt(workspace_id=mo.workspace_id, person_id=mo.id, period="2027-12",
                                  state="sent", due_at=DUE, sent_at=DUE,
                                  reminded_at=DUE + timedelta(days=3) - timedelta(hours=1)))  # fmt: skip

    slack.clock.set(DUE + timedelta(days=2, hours=23))
    assert bed.remind().hansei[0].reminded == 0  # not yet three days
    slack.clock.set(DUE + timedelta(days=3))
    first = bed.remind()
    bed.deliver()
    [hansei] = first.hansei
    assert (hansei.reminded, hansei.held_back, hansei.escalated) == (1, 1, 0)
    [reminder] = bed.dms("U0VP", "Reminder")
    assert "is open for 1 objective(s)" in reminder.text
    assert [HanseiRef.parse(b["value"]).objective_id for b in buttons(reminder)] == [
        bed.ids()["AN2"]
    ]
    assert bed.dms("U0MGR", "Reminder") == []
    assert bed.remind().hansei[0].reminded == 0  # the same moment again: nothing

    slack.clock.set(DUE + timedelta(days=4))  # a day later Mo's reminder goes
    assert bed.remind().hansei[0].reminded == 1
    bed.deliver()
    assert len(bed.dms("U0MGR", "Reminder")) == 1 and len(bed.dms("U0VP", "Reminder")) == 1

    slack.clock.set(DUE + timedelta(days=7))
    second = bed.remind()
    bed.deliver()
    assert second.hansei[0].escalated == 2
    [to_ana] = bed.dms("U0VP", "Mo has not written")  # Mo's manager is Ana
    assert "<@U0MGR> has not written their year-end reflection on FY2027 for 1" in text_of(to_ana)
    [to_dana] = bed.dms("U0CEO", "Ana has not written")
    assert validate_message_blocks(to_dana.blocks) == []
    assert "*AN2*" in text_of(to_dana) and "*AN1*" not in text_of(to_dana)

    # Mo answers; nobody hears about it again.
    view = bed.open_modal("U0MGR", buttons(bed.prompt_dm("U0MGR"))[0]["value"])
    assert slack.submit("U0MGR", view, ANSWER).json() is None
    slack.clock.set(DUE + timedelta(days=12))
    later = bed.remind()
    bed.deliver()
    assert (later.hansei[0].reminded, later.hansei[0].escalated) == (0, 0)
    assert bed.prompts()["U0MGR"].state == "answered" and bed.prompts()["U0VP"].state == "sent"
    assert len(slack.standin.messages("U0CEO")) == 1


def test_an_away_owner_is_reminded_once_back_and_the_manager_told_on_time(slack: SlackBed):
    bed = seeded(slack, away_until=date(2027, 12, 20))
    bed.run()
    bed.deliver()
    assert bed.prompt_dm("U0MGR")  # asked, though away
    slack.clock.set(DUE + timedelta(days=7))
    report = bed.remind().hansei[0]
    bed.deliver()
    assert (report.away, report.reminded, report.escalated) == (1, 1, 2)  # Ana reminded
    assert bed.dms("U0MGR", "Reminder") == []
    [note] = bed.dms("U0VP", "Mo has not written")
    assert "away until Mon 20 Dec 2027" in text_of(note)
    slack.clock.set(datetime(2027, 12, 21, 9, tzinfo=UTC))
    assert bed.remind().hansei[0].reminded == 1  # Mo, back
    bed.deliver()
    assert len(bed.dms("U0MGR", "Reminder")) == 1
    assert len(bed.dms("U0VP", "Mo has not written")) == 1


# ---- the App Home --------------------------------------------------------------------------------


def test_the_home_lists_the_reflection_until_it_is_done(slack: SlackBed):
    bed = seeded(slack)
    bed.run()
    bed.deliver()
    home = open_home(slack, "U0MGR")
    shown = visible(home)
    assert "Year-end reflection · FY2027*\n1 objective(s) still to reflect on (0 done)" in shown
    [button] = [
        b["accessory"]
        for b in home["blocks"]
        if b.get("accessory", {}).get("action_id") == ids.ACTION_HANSEI_OPEN
    ]
    ref = HanseiRef.parse(button["value"])
    assert ref.home and ref.objective_id == bed.ids()["AN1.1"]

    before = len(slack.standin.calls_to("views.publish"))
    view = bed.open_modal("U0MGR", button["value"])
    assert slack.submit("U0MGR", view, ANSWER).json() is None
    republished = wait_for_home(slack, "U0MGR", before)
    assert "Year-end reflection" not in visible(republished)
    assert len(bed.answers()) == 1
    assert "2 objective(s) still to reflect on" in visible(open_home(slack, "U0VP"))
    # Once answers closed the item is gone, answered or not.
    slack.clock.set(datetime(2028, 2, 2, 9, tzinfo=UTC))
    assert "Year-end reflection" not in visible(open_home(slack, "U0VP"))


# ---- the scheduler, and someone Slack cannot reach -----------------------------------------------


def test_the_scheduler_sends_the_hansei_once_when_its_time_comes(slack: SlackBed):
    bed = seeded(slack)
    slack.clock.set(DUE - timedelta(hours=1))
    services = Services(settings=slack.settings, engine=slack.engine, clock=slack.clock)
    scheduler = start_scheduler(
        services, every={"hansei-prompts": 0.1, "deliver": 0.05}, only=("hansei-prompts", "deliver")
    )
    try:
        assert not slack.standin.wait_for(lambda s: bed.dms("U0VP"), timeout=0.5)
        slack.clock.set(DUE)
        assert slack.standin.wait_for(
            lambda s: len(bed.dms("U0VP")) == 1 and len(bed.dms("U0MGR")) == 1, timeout=10
        )
        slack.standin.wait_for(lambda s: False, timeout=0.5)  # more ticks: nothing new
    finally:
        assert scheduler.stop(timeout=10)
    assert len(bed.dms("U0VP", "Year-end reflection")) == 1
    assert len(bed.dms("U0MGR", "Year-end reflection")) == 1


def test_a_dm_that_cannot_be_delivered_marks_the_prompt_unreachable_and_unreminded(slack):
    small_plan(slack.engine)
    for user, name in PEOPLE[:2]:  # Mo is not in Slack's directory: his DM fails for good
        slack.standin.add_user(user, name=name.lower(), real_name=name)
    slack.clock.set(DUE)
    bed = Bed(slack)
    bed.run()
    bed.deliver()
    assert bed.prompts()["U0MGR"].state == "unreachable"
    assert bed.prompts()["U0VP"].state == "sent"
    slack.clock.set(DUE + timedelta(days=8))
    report = bed.remind().hansei[0]
    assert (report.reminded, report.escalated) == (1, 1)  # Ana's reminder, Ana's manager told


def test_an_answer_before_the_dm_arrived_is_confirmed_privately(slack: SlackBed):
    bed = seeded(slack)
    bed.run()  # queued, not delivered yet
    an11 = HanseiRef(objective_id=bed.ids()["AN1.1"], year=2027).dump()
    view = bed.open_modal("U0MGR", an11)
    assert slack.submit("U0MGR", view, ANSWER).json() is None
    bed.deliver()  # (the app may have delivered both already, right after the answer)
    assert slack.standin.wait_for(lambda s: len(s.messages("U0MGR")) == 2, timeout=10)
    texts = [m.text for m in slack.standin.messages("U0MGR")]
    assert texts[0].startswith("Year-end reflection for FY2027")
    assert "Thanks, your reflection on *AN1.1* for FY2027 is saved: 1 of 1 done" in texts[1]
    record_deliveries(slack.engine)  # what the next deliver or reminders run does first
    prompt = bed.prompts()["U0MGR"]
    assert prompt.state == "answered" and prompt.ts == bed.prompt_dm("U0MGR").ts
