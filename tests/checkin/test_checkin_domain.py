"""The check-in's rules against the database: open months, the answer, replays, DM replies, away."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from bot import ids
from bot.checkin import service as checkin
from bot.checkin.service import PeriodState, period_state
from bot.context import CheckInRef
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.forms import FormErrors
from storage.db import session_scope
from storage.models import CheckIn, CheckInPrompt, Person, Workspace
from tests.checkin.conftest import NOW, refs, scope_of
from tests.e2e.conftest import TEAM

ANSWER = {ids.FIELD_ACTUAL: "1,200", ids.FIELD_STATUS: "on_track"}


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("period", "now", "state"),
    [
        ("2027-06", at(2027, 6, 15, 9), PeriodState.OPEN),
        ("2027-05", at(2027, 6, 15, 9), PeriodState.OPEN),
        ("2027-04", at(2027, 6, 15, 9), PeriodState.CLOSED),
        ("2027-07", at(2027, 6, 15, 9), PeriodState.NOT_YET),
        # 1 July 2027 is a Thursday: July's check-in falls due at 09:00 (UTC here).
        ("2027-05", at(2027, 7, 1, 8, 59), PeriodState.OPEN),
        ("2027-05", at(2027, 7, 1, 9, 0), PeriodState.CLOSED),
        ("2027-07", at(2027, 7, 1, 8, 59), PeriodState.OPEN),  # the month has begun somewhere
        ("2027-07", at(2027, 6, 30, 10, 0), PeriodState.OPEN),  # 1 July already in UTC+14
        ("2027-07", at(2027, 6, 30, 9, 59), PeriodState.NOT_YET),
        ("2027-12", at(2028, 1, 20, 9), PeriodState.OPEN),  # across the year's end
        ("2027-12", at(2028, 2, 1, 9), PeriodState.CLOSED),
    ],
)
def test_which_months_take_check_ins(period, now, state):
    assert period_state(Workspace(team_id="T"), period, now) is state


def test_a_workspace_in_another_timezone_closes_on_its_own_clock():
    berlin = Workspace(team_id="T", timezone="Europe/Berlin", checkin_time="09:00")
    assert period_state(berlin, "2027-05", at(2027, 7, 1, 6, 59)) is PeriodState.OPEN
    assert period_state(berlin, "2027-05", at(2027, 7, 1, 7, 0)) is PeriodState.CLOSED


def test_reading_the_answer_gathers_every_error():
    with pytest.raises(FormErrors) as caught:
        checkin.read_answer(
            {ids.FIELD_ACTUAL: "lots", ids.FIELD_STATUS: "at_risk"}, metric_name="ARR"
        )
    assert set(caught.value.errors) == {ids.FIELD_ACTUAL, ids.FIELD_COUNTERMEASURE}
    with pytest.raises(FormErrors) as caught:
        checkin.read_answer({}, metric_name="ARR")
    assert set(caught.value.errors) == {ids.FIELD_ACTUAL, ids.FIELD_STATUS}
    answer = checkin.read_answer(
        {ids.FIELD_STATUS: "off_track", ids.FIELD_COUNTERMEASURE: "Hire"}, metric_name=None
    )
    assert (answer.actual, answer.status, answer.countermeasure) == (None, "off_track", "Hire")
    assert checkin.read_answer(ANSWER, metric_name="ARR").actual == 1200


def test_a_submission_is_stored_once_and_edited_by_the_next(plan):
    an11 = refs(plan)["AN1.1"]
    ref = CheckInRef(objective_id=an11, period="2027-06")
    with session_scope(plan) as session:
        done = checkin.submit(
            session, scope_of(session, "U0MGR"), ref=ref, values=ANSWER, now=NOW, view_id="V1"
        )
        assert done.created and done.objective_ref == "AN1.1" and len(done.thread_ids) == 1
    with session_scope(plan) as session:
        again = {**ANSWER, ids.FIELD_ACTUAL: "5"}
        assert (
            checkin.submit(
                session, scope_of(session, "U0MGR"), ref=ref, values=again, now=NOW, view_id="V1"
            )
            is None
        )
    with session_scope(plan) as session:
        edited = {
            ids.FIELD_ACTUAL: "7",
            ids.FIELD_STATUS: "at_risk",
            ids.FIELD_COUNTERMEASURE: "Call",
        }
        done = checkin.submit(
            session, scope_of(session, "U0MGR"), ref=ref, values=edited, now=NOW, view_id="V2"
        )
        assert not done.created
    with Session(plan) as session:
        [row] = session.exec(select(CheckIn).where(CheckIn.period == "2027-06")).all()
        assert (row.actual, row.status, row.countermeasure) == (7, "at_risk", "Call")


def test_only_the_owner_of_an_active_objective_of_that_year_checks_in(plan):
    ids_ = refs(plan)
    with session_scope(plan) as session:
        for user, ref, error in (
            ("U0VP", CheckInRef(objective_id=ids_["AN1.1"], period="2027-06"), NotAllowed),
            ("U0CEO", CheckInRef(objective_id=ids_["AN1.1"], period="2027-06"), NotAllowed),
            ("U0CEO", CheckInRef(objective_id=ids_["BT1"], period="2027-06"), NotAllowed),
            ("U0MGR", CheckInRef(objective_id=99999, period="2027-06"), NotFound),
        ):
            with pytest.raises(error):
                checkin.open_form(session, scope_of(session, user), ref=ref, now=NOW)
        form = checkin.open_form(
            session,
            scope_of(session, "U0MGR"),
            ref=CheckInRef(objective_id=ids_["AN1.1"], period="2027-06"),
            now=NOW,
        )
        assert (form.plan, form.target, form.previous.actual, form.existing) == (18, 40, 12, None)
    # FY2027 plans run Jan–Dec; a check-in for January 2028 is not one of AN1.1's months.
    with session_scope(plan) as session, pytest.raises(NotAllowed, match="FY2027"):
        checkin.open_form(
            session,
            scope_of(session, "U0MGR"),
            ref=CheckInRef(objective_id=ids_["AN1.1"], period="2028-01"),
            now=at(2028, 1, 10, 12),
        )


def add_prompt(engine, user: str, period: str) -> None:
    with session_scope(engine) as session:
        person = session.exec(select(Person).where(Person.slack_user_id == user)).one()
        session.add(
            CheckInPrompt(
                workspace_id=person.workspace_id,
                person_id=person.id,
                period=period,
                state="sent",
                due_at=NOW,
            )
        )


def keep(engine, user: str, text: str, event_id: str, now: datetime = NOW):
    with session_scope(engine) as session:
        return checkin.keep_dm_reply(
            session, team_id=TEAM, user_id=user, text=text, event_id=event_id, now=now
        )


def test_dm_replies_land_on_the_latest_open_prompts_month(plan):
    add_prompt(plan, "U0MGR", "2027-05")
    kept = keep(plan, "U0MGR", "May was slow", "Ev1")
    assert (kept.period, kept.refs) == ("2027-05", ["AN1.1"])
    assert keep(plan, "U0MGR", "May was slow", "Ev1") is None  # a retry of the same event
    with Session(plan) as session:
        may = session.exec(select(CheckIn).where(CheckIn.period == "2027-05")).one()
        assert may.comment == "May was slow" and may.actual == 12  # the check-in is kept
    # Once May has closed, words go to the month due now.
    kept = keep(plan, "U0MGR", "July starts well", "Ev2", now=at(2027, 7, 2, 12))
    assert kept.period == "2027-07"
    assert keep(plan, "U0NOBODY", "hello", "Ev3") is None  # not in the plan
    assert keep(plan, "U0CEO", "hello", "Ev4").refs == []  # owns no annual objective


def test_away_is_set_shown_and_ended(plan):
    today = date(2027, 6, 15)
    with session_scope(plan) as session:
        change = checkin.set_away(
            session, scope_of(session, "U0MGR"), args="until 2027-07-15", today=today
        )
        assert (change.until, change.changed, change.manager) == (date(2027, 7, 15), True, "U0VP")
    with session_scope(plan) as session:
        scope = scope_of(session, "U0MGR")
        assert checkin.is_away(scope.person, today) and checkin.is_away(
            scope.person, date(2027, 7, 15)
        )
        assert not checkin.is_away(scope.person, date(2027, 7, 16))
        assert checkin.set_away(session, scope, args="", today=today).until == date(2027, 7, 15)
        for bad in ("2027-06-14", "tomorrow", "2028-07-01", "until 2027-07-01 2027-07-02"):
            with pytest.raises(InvalidInput):
                checkin.set_away(session, scope, args=bad, today=today)
        assert checkin.set_away(session, scope, args="off", today=today).changed
    with session_scope(plan) as session, pytest.raises(NotFound):
        checkin.set_away(session, scope_of(session, "U0STRANGER"), args="off", today=today)
