"""The A3's builders as Slack would receive them: the DM, the modal, "did it work?", the Home."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from bot import ids
from bot.a3.blocks import a3_modal, a3_request, a3_status_line, worked_reply
from bot.a3.model import A3Card, A3Form, WorkedAnswer
from bot.checkin.prompt_blocks import checkin_prompt
from bot.context import A3Ref, A3WorkedRef, CheckInRef
from bot.home.blocks import home_view
from bot.home.model import CheckInDue
from bot.standin.blockkit import validate_message_blocks, validate_view
from storage.a3 import A3Row
from tests.home.test_home_blocks import make_home
from tests.prompts.test_prompt_blocks import ask, objective, overdue
from tests.text import visible_text

HUGE = "x" * 5000
CARD = A3Card(
    a3_id=7,
    objective_ref="AN1.1",
    objective_title="Win 40 new mid-market logos",
    period="2027-06",
    owner_user_id="U0MGR",
)
WRITTEN = dataclasses.replace(
    CARD,
    problem="12 logos against 18",
    root_cause="Legal reviews take six weeks",
    countermeasure="A standard contract",
    action_owner="U0VP",
    due=date(2027, 7, 31),
    written=True,
)


def a3_row(i: int, **changes) -> A3Row:
    fields = {
        "id": i,
        "objective_id": i,
        "objective_ref": f"AN{i}",
        "objective_title": f"Objective number {i}",
        "period": "2027-02",
        "countermeasure": "A standard contract",
        "due": date(2027, 3, 31),
        "submitted": True,
        "worked": None,
        "worked_period": None,
    }
    return A3Row(**{**fields, **changes})


def elements(blocks: list[dict]) -> list[dict]:
    found = [b["accessory"] for b in blocks if "accessory" in b]
    return found + [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_the_request_dm_asks_and_then_shows_the_a3():
    asked = a3_request(CARD)
    assert validate_message_blocks(asked.blocks) == []
    text = visible_text(asked.blocks)
    assert "*AN1.1* Win 40 new mid-market logos has been *off track two months running*" in text
    assert "(May 2027 and Jun 2027)" in text
    [button] = elements(asked.blocks)
    assert (button["action_id"], button["text"]["text"]) == (ids.ACTION_A3_OPEN, "Write the A3")
    assert A3Ref.parse(button["value"]).a3_id == 7
    written = a3_request(WRITTEN)
    assert validate_message_blocks(written.blocks) == []
    text = visible_text(written.blocks)
    assert "*Root cause* Legal reviews take six weeks" in text
    assert "*Owner* <@U0VP> · *Due* Sat 31 Jul 2027" in text
    assert elements(written.blocks)[0]["text"]["text"] == "Edit the A3"
    huge = dataclasses.replace(
        WRITTEN, objective_ref="R" * 64, objective_title=HUGE, problem=HUGE, root_cause=HUGE,
        countermeasure=HUGE,
    )  # fmt: skip
    assert validate_message_blocks(a3_request(huge).blocks) == []


@pytest.mark.parametrize("card", [CARD, WRITTEN])
def test_the_modal_has_the_five_fields_prefilled_when_editing(card):
    view = a3_modal(A3Form(card, "2027-05", suggested_countermeasure="Weekly pipeline review"))
    assert validate_view(view, expected_type="modal") == []
    assert view["callback_id"] == ids.VIEW_A3
    assert A3Ref.parse(view["private_metadata"]).a3_id == 7
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == [
        ids.FIELD_PROBLEM,
        ids.FIELD_ROOT_CAUSE,
        ids.FIELD_COUNTERMEASURE,
        ids.FIELD_A3_OWNER,
        ids.FIELD_DUE,
    ]
    assert inputs[ids.FIELD_A3_OWNER]["type"] == "users_select"
    assert inputs[ids.FIELD_DUE]["type"] == "datepicker"
    if card.written:
        assert inputs[ids.FIELD_COUNTERMEASURE]["initial_value"] == "A standard contract"
        assert inputs[ids.FIELD_A3_OWNER]["initial_user"] == "U0VP"
        assert inputs[ids.FIELD_DUE]["initial_date"] == "2027-07-31"
    else:  # a first A3 starts from the check-in's countermeasure, owned by the objective's owner
        assert inputs[ids.FIELD_COUNTERMEASURE]["initial_value"] == "Weekly pipeline review"
        assert inputs[ids.FIELD_A3_OWNER]["initial_user"] == "U0MGR"
        assert "initial_date" not in inputs[ids.FIELD_DUE]


def test_the_prompt_asks_whether_last_months_countermeasure_worked():
    message = checkin_prompt(ask([objective(1, a3=a3_row(1, worked="partly")), objective(2)]))
    assert validate_message_blocks(message.blocks) == []
    text = visible_text(message.blocks)
    assert (
        "*Did it work?* Your A3 of Feb 2027 set the countermeasure: “A standard contract”" in text
    )
    assert "You said it partly worked." in text
    [select] = [e for e in elements(message.blocks) if e["action_id"] == ids.ACTION_A3_WORKED]
    assert select["type"] == "static_select"
    options = [A3WorkedRef.parse(o["value"]) for o in select["options"]]
    assert [(o.a3_id, o.period, o.worked) for o in options] == [
        (1, "2027-03", "yes"),
        (1, "2027-03", "partly"),
        (1, "2027-03", "no"),
    ]
    assert select["initial_option"]["text"]["text"] == "Partly"
    checkin = [e for e in elements(message.blocks) if e["action_id"] == ids.ACTION_CHECKIN_OPEN]
    assert [CheckInRef.parse(b["value"]).objective_id for b in checkin] == [1, 2]


@pytest.mark.parametrize("count", [25, 40, 200])
def test_a_prompt_full_of_a3s_stays_within_slacks_limits(count):
    objectives = [
        objective(i, title=HUGE, a3=a3_row(i, countermeasure=HUGE)) for i in range(1, count + 1)
    ]
    message = checkin_prompt(ask(objectives, overdue=tuple(overdue(i) for i in range(30))))
    assert validate_message_blocks(message.blocks) == []
    assert len(message.blocks) <= 50
    checkin = [e for e in elements(message.blocks) if e["action_id"] == ids.ACTION_CHECKIN_OPEN]
    worked = [e for e in elements(message.blocks) if e["action_id"] == ids.ACTION_A3_WORKED]
    assert len(worked) == len(checkin) >= 10  # every objective shown keeps its question
    assert f"…and *{count - len(checkin)} more objective(s)*" in visible_text(message.blocks)


def test_the_home_lists_check_ins_due_and_a3s_with_their_buttons_within_100_blocks():
    home = make_home(owned=200, pending=50, actions=200, admin=True, title_len=200)
    home.check_ins_due = [
        CheckInDue(f"AN{i}", "C" * 300, "2027-06", date(2027, 6, 1), objective_id=100 + i)
        for i in range(40)
    ]
    home.a3s_due = [a3_row(i, submitted=False, objective_title=HUGE) for i in range(1, 4)]
    view = home_view(home)
    assert validate_view(view, expected_type="home") == []
    assert len(view["blocks"]) <= 100 and len(json.dumps(view).encode()) < 100_000
    text = visible_text(view["blocks"])
    assert "*Check-ins due* for Jun 2027 (40) · due since 01 Jun" in text
    assert "…and 35 more: AN5, AN6" in text
    assert "*A3s to write* (3)" in text and "off track two months running" in text
    found = elements(view["blocks"])
    checkin = [
        CheckInRef.parse(e["value"]) for e in found if e["action_id"] == ids.ACTION_CHECKIN_OPEN
    ]
    assert [(r.objective_id, r.period) for r in checkin] == [(100 + i, "2027-06") for i in range(5)]
    a3s = [A3Ref.parse(e["value"]).a3_id for e in found if e["action_id"] == ids.ACTION_A3_OPEN]
    assert a3s == [1, 2, 3]


def test_the_words_of_the_answer_and_of_status():
    reply = worked_reply(WorkedAnswer("AN1.1", "partly", "2027-07", changed=True))
    assert "Noted: on *AN1.1*, it partly worked" in reply
    again = worked_reply(WorkedAnswer("AN1.1", "no", "2027-07", changed=False))
    assert "Already noted" in again and "it did not work" in again
    assert a3_status_line(a3_row(1, worked="yes")) == (
        ":memo: Feb 2027: “A standard contract” · due 2027-03-31 · it worked"
    )
    assert "not written yet" in a3_status_line(a3_row(1, submitted=False))
