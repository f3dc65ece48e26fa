"""The A3's rules against the database: when it is asked, who writes it, stored once, did it work."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from bot import ids
from bot.a3 import service as a3
from bot.a3.service import a3_periods, next_period
from bot.checkin import service as checkin
from bot.context import A3WorkedRef, CheckInRef
from bot.errors import InvalidInput, NotAllowed
from bot.forms import FormErrors
from storage.db import session_scope
from storage.models import A3Report, AuditEntry, Objective, OutboxMessage, Person
from tests import factories as f
from tests.checkin.conftest import NOW, refs, scope_of

TODAY = NOW.date()
OFF = {
    ids.FIELD_ACTUAL: "12",
    ids.FIELD_STATUS: "off_track",
    ids.FIELD_COUNTERMEASURE: "Weekly pipeline review",
}
ON = {ids.FIELD_ACTUAL: "19", ids.FIELD_STATUS: "on_track"}
A3_VALUES = {
    ids.FIELD_PROBLEM: "12 new logos against a plan of 18",
    ids.FIELD_ROOT_CAUSE: "Legal reviews take six weeks",
    ids.FIELD_COUNTERMEASURE: "A standard contract",
    ids.FIELD_A3_OWNER: "U0VP",
    ids.FIELD_DUE: "2027-07-31",
}


@pytest.mark.parametrize(
    ("before", "this", "after", "expected"),
    [
        ("off_track", "off_track", None, ["2027-06"]),
        (None, "off_track", "off_track", ["2027-07"]),
        ("off_track", "off_track", "off_track", ["2027-06", "2027-07"]),
        (None, "off_track", None, []),  # a gap month either side
        ("at_risk", "off_track", "on_track", []),
        ("off_track", "at_risk", "off_track", []),  # on track (or at risk) in between
        ("off_track", None, "off_track", []),  # a comment alone is not a status
    ],
)
def test_two_off_track_months_running_call_for_an_a3(before, this, after, expected):
    assert a3_periods("2027-06", before=before, this=this, after=after) == expected


def test_next_period_crosses_the_year():
    assert next_period("2027-12") == "2028-01" and next_period("2027-06") == "2027-07"


def check_in(engine, user: str, ref: str, period: str, values: dict, view_id: str):
    with session_scope(engine) as session:
        return checkin.submit(
            session,
            scope_of(session, user),
            ref=CheckInRef(objective_id=refs(engine)[ref], period=period),
            values=values,
            now=NOW,
            view_id=view_id,
        )


def a3_rows(engine) -> list[A3Report]:
    with Session(engine) as session:
        return list(session.exec(select(A3Report).order_by(A3Report.id)))


def requests(engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [r for r in rows if r.dedup_key.startswith("a3-request:")]


def test_the_second_off_track_month_asks_the_owner_once(plan):
    check_in(plan, "U0MGR", "AN1.1", "2027-06", OFF, "V1")  # May was off track already
    [row] = a3_rows(plan)
    assert (row.objective_id, row.period) == (refs(plan)["AN1.1"], "2027-06")
    [dm] = requests(plan)
    assert dm.channel == "U0MGR" and dm.dedup_key == f"a3-request:{row.id}"
    assert "off track two months running" in dm.payload["text"]
    # Submitted again, edited away and back: still one A3 and one DM.
    check_in(plan, "U0MGR", "AN1.1", "2027-06", OFF, "V1")
    check_in(plan, "U0MGR", "AN1.1", "2027-06", ON, "V2")
    check_in(plan, "U0MGR", "AN1.1", "2027-06", OFF, "V3")
    assert len(a3_rows(plan)) == 1 and len(requests(plan)) == 1


def test_a_gap_month_or_a_better_month_between_asks_nothing(plan):
    with session_scope(plan) as session:
        an1 = session.get(Objective, refs(plan)["AN1"])
        an2 = session.get(Objective, refs(plan)["AN2"])
        f.check_in(session, an1, "2027-04", status="off_track")  # and no May: a gap
        f.check_in(session, an2, "2027-05", status="on_track")
        f.check_in(session, an2, "2027-04", status="off_track")
    check_in(plan, "U0VP", "AN1", "2027-06", OFF, "V1")
    check_in(plan, "U0VP", "AN2", "2027-06", OFF, "V2")
    assert a3_rows(plan) == [] and requests(plan) == []


def test_a_late_edit_that_turns_a_month_off_track_counts(plan):
    check_in(plan, "U0VP", "AN1", "2027-06", OFF, "V1")  # no May yet: nothing
    assert a3_rows(plan) == []
    check_in(plan, "U0VP", "AN1", "2027-05", {**OFF, ids.FIELD_STATUS: "at_risk"}, "V2")
    assert a3_rows(plan) == []
    check_in(plan, "U0VP", "AN1", "2027-05", OFF, "V3")  # May edited to off track, late
    [row] = a3_rows(plan)
    assert (row.objective_id, row.period) == (refs(plan)["AN1"], "2027-06")
    assert [r.channel for r in requests(plan)] == ["U0VP"]


def asked(plan) -> int:
    check_in(plan, "U0MGR", "AN1.1", "2027-06", OFF, "V0")
    return a3_rows(plan)[0].id


def write(engine, user: str, a3_id: int, values: dict, view_id: str, today: date = TODAY, now=NOW):
    with session_scope(engine) as session:
        return a3.submit(
            session,
            None,  # everyone picked is in the plan already: Slack is not asked
            scope_of(session, user),
            a3_id=a3_id,
            values=values,
            today=today,
            now=now,
            view_id=view_id,
        )


def test_only_the_objectives_owner_or_an_admin_may_write_it(plan):
    a3_id = asked(plan)
    with session_scope(plan) as session:
        with pytest.raises(NotAllowed, match=r"Only <@U0MGR>, its owner, or an admin"):
            a3.open_form(session, scope_of(session, "U0VP"), a3_id=a3_id)
        form = a3.open_form(session, scope_of(session, "U0MGR"), a3_id=a3_id)
        assert form.suggested_countermeasure == "Weekly pipeline review"
        assert (form.card.written, form.previous_period) == (False, "2027-05")
        assert a3.open_form(session, scope_of(session, "U0CEO"), a3_id=a3_id)  # an admin
    with pytest.raises(NotAllowed):
        write(plan, "U0VP", a3_id, A3_VALUES, "V1")
    assert a3_rows(plan)[0].submitted_at is None


def test_every_problem_is_named_and_nothing_is_stored(plan):
    a3_id = asked(plan)
    with session_scope(plan) as session:
        mo = session.exec(select(Person).where(Person.slack_user_id == "U0MGR")).one()
        mo.unreachable_reason = "account_inactive"
        session.add(mo)
    bad = {
        **A3_VALUES,
        ids.FIELD_ROOT_CAUSE: "  ",
        ids.FIELD_DUE: "2027-06-14",
        ids.FIELD_A3_OWNER: "U0MGR",
    }
    with pytest.raises(FormErrors) as caught:
        write(plan, "U0CEO", a3_id, bad, "V1")
    errors = caught.value.errors
    assert set(errors) == {ids.FIELD_ROOT_CAUSE, ids.FIELD_DUE, ids.FIELD_A3_OWNER}
    assert "root cause" in errors[ids.FIELD_ROOT_CAUSE]
    assert "in the past" in errors[ids.FIELD_DUE]
    assert "can't be reached" in errors[ids.FIELD_A3_OWNER]
    with pytest.raises(FormErrors) as caught:
        write(plan, "U0CEO", a3_id, {**A3_VALUES, ids.FIELD_A3_OWNER: None}, "V1")
    assert set(caught.value.errors) == {ids.FIELD_A3_OWNER}
    assert a3_rows(plan)[0].submitted_at is None


def test_a_double_submit_stores_once_and_reopening_edits(plan):
    a3_id = asked(plan)
    saved = write(plan, "U0MGR", a3_id, A3_VALUES, "V1")
    assert saved.first and saved.card.written and saved.card.action_owner == "U0VP"
    assert write(plan, "U0MGR", a3_id, {**A3_VALUES, ids.FIELD_PROBLEM: "other"}, "V1") is None
    [row] = a3_rows(plan)
    assert (row.problem, row.root_cause, row.due) == (
        A3_VALUES[ids.FIELD_PROBLEM],
        "Legal reviews take six weeks",
        date(2027, 7, 31),
    )
    edited = write(plan, "U0MGR", a3_id, {**A3_VALUES, ids.FIELD_DUE: "2027-08-15"}, "V2")
    assert not edited.first and a3_rows(plan)[0].due == date(2027, 8, 15)
    with Session(plan) as session:
        actions = session.exec(
            select(AuditEntry.action).where(AuditEntry.entity == "a3_report")
        ).all()
    assert actions == ["a3.submit", "a3.update"]
    with session_scope(plan) as session:
        form = a3.open_form(session, scope_of(session, "U0MGR"), a3_id=a3_id)
        assert form.card.written and form.card.due == date(2027, 8, 15)


def test_edited_back_to_what_it_was_the_asking_dm_shows_it_again(plan):
    """A, then B, then A again: the DM must end on A (a content-only key would keep B)."""
    from datetime import timedelta

    from storage.outbox import claims
    from storage.outbox import queue as outbox

    a3_id = asked(plan)
    workspace_id = a3_rows(plan)[0].workspace_id
    with session_scope(plan) as session:
        request = outbox.by_key(session, workspace_id=workspace_id, dedup_key=a3.request_key(a3_id))
        assert claims.claim(session, message_id=request.id, at=NOW)  # as delivery does
        assert claims.mark_sent(session, message_id=request.id, ts="1.0", channel="D0MGR", at=NOW)
    edits = ["A standard contract", "A shorter legal review", "A standard contract"]
    for n, countermeasure in enumerate(edits):
        values = {**A3_VALUES, ids.FIELD_COUNTERMEASURE: countermeasure}
        write(plan, "U0MGR", a3_id, values, f"V{n}", now=NOW + timedelta(minutes=n))
    with Session(plan) as session:
        updates = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.method == "chat.update")
            .order_by(OutboxMessage.id)
        ).all()
    assert len(updates) == 3
    assert "A standard contract" in str(updates[-1].payload)
    assert "A shorter legal review" not in str(updates[-1].payload)


def answer(engine, user: str, a3_id: int, worked: str):
    with session_scope(engine) as session:
        return a3.answer_worked(
            session,
            scope_of(session, user),
            ref=A3WorkedRef(a3_id=a3_id, period="2027-07", worked=worked),
            now=NOW,
        )


def test_whether_it_worked_is_stored_on_the_a3(plan):
    a3_id = asked(plan)
    with pytest.raises(InvalidInput, match="not been written"):
        answer(plan, "U0MGR", a3_id, "yes")
    write(plan, "U0MGR", a3_id, A3_VALUES, "V1")
    with pytest.raises(NotAllowed):
        answer(plan, "U0VP", a3_id, "yes")
    assert a3_rows(plan)[0].worked is None
    done = answer(plan, "U0MGR", a3_id, "partly")
    assert (done.objective_ref, done.worked, done.changed) == ("AN1.1", "partly", True)
    assert answer(plan, "U0MGR", a3_id, "partly").changed is False
    [row] = a3_rows(plan)
    assert (row.worked, row.worked_period) == ("partly", "2027-07") and row.worked_at
    assert answer(plan, "U0MGR", a3_id, "no").changed
    assert a3_rows(plan)[0].worked == "no"
    with session_scope(plan) as session, pytest.raises(InvalidInput, match="no longer matches"):
        tampered = A3WorkedRef(a3_id=a3_id, period="2027-06", worked="yes")  # the A3's own month
        a3.answer_worked(session, scope_of(session, "U0MGR"), ref=tampered, now=NOW)
    assert a3_rows(plan)[0].worked == "no"


def test_an_objective_without_an_owner_gets_its_a3_row_but_no_dm(plan):
    with session_scope(plan) as session:
        objective = session.get(Objective, refs(plan)["AN1.1"])
        f.check_in(session, objective, "2027-06", status="off_track")
        objective.owner_id = None
        session.add(objective)
        session.flush()
        workspace = scope_of(session, "U0MGR").workspace
        assert a3.after_check_in(session, workspace, objective, "2027-06") == []
    [row] = a3_rows(plan)
    assert (row.period, row.person_id) == ("2027-06", None)
    assert requests(plan) == []  # whoever owns it next finds it on their Home
