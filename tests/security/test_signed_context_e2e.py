"""Context that comes back from Slack (private_metadata, button values) is the bot's own, or refused.

Issue 16 item 6: the propose modal's private_metadata named the message to update after a
revision (`notice_channel`, `notice_ts`), and the bot trusted it, so a forged submission made it
chat.update a check-in prompt DM and a review thread's parent. Now every context the bot writes
is signed (bot/context.py), and the one message a proposal may update, the "changes requested"
notice, is looked up among the posts the bot recorded for that round and that person.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot import ids
from bot.catchball.model import ProposeContext
from bot.context import CheckInRef, sign_with
from storage.models import CatchballRound, CheckIn, OutboxMessage
from storage.outbox import queue as outbox
from tests.e2e.conftest import SIGNING_SECRET, bed
from tests.e2e.test_catchball_e2e import (
    NORDICS,
    command_modal,
    prefilled,
    wait_dm_with,
    wait_round,
)
from tests.e2e.test_checkin_e2e import (
    ANSWER,
    CHANNEL,
    JUNE,
    check_in_row,
    open_modal,
    setup_month,
    wait_thread,
)

PROMPT = ("D0MGR", "1780000000.000100")  # Mo's June prompt DM, as setup_month records it
REFUSED = "open it again"


def updates_of(slack, channel: str, ts: str) -> tuple[list, list]:
    """chat.update calls Slack got for the message, and outbox rows that would make one."""
    calls = [
        c
        for c in slack.standin.calls_to("chat.update")
        if (c.args.get("channel"), c.args.get("ts")) == (channel, ts)
    ]
    with Session(slack.engine) as session:
        rows = [
            r
            for r in session.exec(
                select(OutboxMessage).where(OutboxMessage.method == "chat.update")
            ).all()
            if (r.payload.get("channel"), r.payload.get("ts")) == (channel, ts)
        ]
    return calls, rows


def all_rounds(slack) -> list[CatchballRound]:
    with Session(slack.engine) as session:
        return list(session.exec(select(CatchballRound)).all())


def month_with_thread(slack) -> tuple[dict[str, int], tuple[str, str]]:
    """June's prompts recorded, Mo's check-in in, and the review thread's parent posted."""
    refs = setup_month(slack)
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    assert slack.submit("U0MGR", view, ANSWER).json() is None
    parent, _ = wait_thread(slack, 1)
    return refs, (CHANNEL, parent.ts)


def change_of_an11(view: dict) -> dict:
    return prefilled(view, **{ids.FIELD_TARGET: "44", ids.FIELD_NOTE: "Two more AEs start."})


def test_a_forged_propose_submission_cannot_make_the_bot_edit_a_prompt_dm_or_a_thread(slack):
    refs, thread_parent = month_with_thread(slack)
    view = command_modal(slack, "U0MGR", "revise AN1.1")
    for channel, ts in (PROMPT, thread_parent):
        # What issue 16 sent: the modal's context, rewritten to name another message.
        forged = {"objective_id": refs["AN1.1"], "notice_channel": channel, "notice_ts": ts}
        answer = slack.submit(
            "U0MGR", {**view, "private_metadata": json.dumps(forged)}, change_of_an11(view)
        ).json()
        assert answer["response_action"] == "errors"
        assert REFUSED in " ".join(answer["errors"].values())
        assert all_rounds(slack) == []
        assert updates_of(slack, channel, ts)[1] == []

    # The modal as the bot wrote it still works; the change goes to Ana, and once its DMs are
    # out, Slack has been asked to update neither the prompt nor the thread's parent.
    assert slack.submit("U0MGR", view, change_of_an11(view)).json() is None
    wait_round(slack, "AN1.1", 1, decision="pending")
    wait_dm_with(slack, "U0VP", "AN1.1")
    wait_dm_with(slack, "U0MGR", "Sent")
    for channel, ts in (PROMPT, thread_parent):
        assert updates_of(slack, channel, ts) == ([], [])


def changes_requested_of_mo(slack) -> CatchballRound:
    """Mo proposes AN1.2 for himself; Ana asks for changes: Mo's DM holds the notice."""
    view = command_modal(slack, "U0MGR", "propose AN1")
    assert slack.submit("U0MGR", view, {**NORDICS, ids.FIELD_OWNER: "U0MGR"}).json() is None
    first = wait_round(slack, "AN1.2", 1, decision="pending")
    ask = wait_dm_with(slack, "U0VP", "Proposal AN1.2")
    reason = slack.ui.click_modal(
        "U0VP", ask, ids.ACTION_CATCHBALL_REQUEST_CHANGES, ids.VIEW_DECISION_REASON
    )
    assert slack.submit("U0VP", reason, {ids.FIELD_REASON: "Aim higher."}).json() is None
    wait_round(slack, "AN1.2", 1, decision="changes_requested")
    wait_dm_with(slack, "U0MGR", "asks for changes")
    with Session(slack.engine) as session:
        key = f"catchball.notice:{first.id}"
        assert slack.standin.wait_for(
            lambda _: outbox.by_key(session, workspace_id=1, dedup_key=key).state == "sent", 10
        )
        session.expire_all()
    return first


def test_even_a_signed_context_updates_only_the_notice_the_bot_sent_that_person(slack):
    """Someone holding the signing secret can sign a context: the notice a proposal updates is
    still only the one the bot recorded for that round, in the DM of the person submitting."""
    refs, thread_parent = month_with_thread(slack)
    asked = changes_requested_of_mo(slack)
    notice_key = f"catchball.notice:{asked.id}"
    before = len(all_rounds(slack))

    # Dana (an admin, who may revise it) with Mo's notice; Mo with AN1.2's notice on AN1.1.
    for user, command, objective_id in (
        ("U0CEO", "revise AN1.2", asked.objective_id),
        ("U0MGR", "revise AN1.1", refs["AN1.1"]),
    ):
        view = command_modal(slack, user, command)
        context = ProposeContext(objective_id=objective_id, notice_round_id=asked.id)
        values = prefilled(view, **{ids.FIELD_TARGET: "3"})
        answer = slack.submit(user, {**view, "private_metadata": context.dump()}, values).json()
        assert answer["response_action"] == "errors", (user, answer)
        assert "notice" in " ".join(answer["errors"].values())
        assert len(all_rounds(slack)) == before

    # Mo revising from his notice: the notice, and only it, loses its Revise button.
    notice = wait_dm_with(slack, "U0MGR", "asks for changes")
    revise = slack.ui.click_modal("U0MGR", notice, ids.ACTION_CATCHBALL_REVISE, ids.VIEW_PROPOSE)
    assert (
        slack.submit("U0MGR", revise, prefilled(revise, **{ids.FIELD_TARGET: "3"})).json() is None
    )
    wait_round(slack, "AN1.2", 2, decision="pending")
    with Session(slack.engine) as session:
        row = outbox.by_key(session, workspace_id=1, dedup_key=notice_key)

    def revised(s) -> list:
        return [
            c
            for c in s.calls_to("chat.update")
            if (c.args.get("channel"), c.args.get("ts")) == (row.result_channel, row.result_ts)
            and "You revised" in (c.args.get("text") or "")
        ]

    assert slack.standin.wait_for(revised, 10)
    for channel, ts in (PROMPT, thread_parent):
        assert updates_of(slack, channel, ts) == ([], [])


def test_a_tampered_check_in_context_is_refused_and_nothing_is_stored(slack):
    refs = setup_month(slack)
    an1, an2 = refs["AN1"], refs["AN2"]  # Ana owns both: the database alone cannot tell
    view = open_modal(slack, "U0VP", an1)
    metadata = view["private_metadata"]
    moved = metadata.replace(f'"objective_id":{an1}', f'"objective_id":{an2}')
    assert moved != metadata
    unsigned = CheckInRef(objective_id=an1, period=JUNE).model_dump_json()  # before an upgrade
    for raw in (moved, unsigned, metadata[:-3], metadata + "x" * 3000, "", "[1, 2]"):
        answer = slack.submit("U0VP", {**view, "private_metadata": raw}, ANSWER).json()
        assert answer["response_action"] == "errors", raw
        assert REFUSED in " ".join(answer["errors"].values())
    assert check_in_row(slack.engine, an1) is None and check_in_row(slack.engine, an2) is None

    assert slack.submit("U0VP", view, ANSWER).json() is None  # the modal as written still works
    assert check_in_row(slack.engine, an1).actual == 15
    with Session(slack.engine) as session:
        assert session.exec(select(CheckIn).where(CheckIn.objective_id == an2)).first() is None


def test_a_tampered_check_in_button_opens_nothing(slack):
    refs = setup_month(slack)
    an1, an2 = refs["AN1"], refs["AN2"]
    value = CheckInRef(objective_id=an1, period=JUNE).dump()
    tampered = value.replace(f'"objective_id":{an1}', f'"objective_id":{an2}')
    unsigned = CheckInRef(objective_id=an2, period=JUNE).model_dump_json()
    assert tampered != value
    for raw in (tampered, unsigned):
        opened = len(slack.standin.calls_to("views.open"))
        delivery = slack.sender.block_action(
            user_id="U0VP",
            action_id=ids.ACTION_CHECKIN_OPEN,
            value=raw,
            channel_id="D0VP",
            message_ts="1780000000.000100",
        )
        assert delivery.status == 200
        answer = slack.answer_to(delivery)
        assert REFUSED in answer["text"] and answer.get("response_type", "ephemeral") == "ephemeral"
        assert len(slack.standin.calls_to("views.open")) == opened
    view = open_modal(slack, "U0VP", an1)  # the button as the bot wrote it
    assert "AN1" in json.dumps(view["blocks"])


@pytest.fixture
def upgraded_slack(database_url):
    """The bed of an app upgraded from a version whose buttons were not signed, with the window
    for those buttons open for another month (UNSIGNED_BUTTONS_UNTIL)."""
    until = datetime.now(UTC).date() + timedelta(days=30)
    try:
        with bed(database_url, unsigned_buttons_until=until) as s:
            yield s
    finally:
        sign_with(SIGNING_SECRET)  # the suite's key, without the window


def test_a_button_sent_before_the_upgrade_works_while_the_window_is_open(upgraded_slack):
    slack = upgraded_slack
    refs = setup_month(slack)
    unsigned = CheckInRef(objective_id=refs["AN1"], period=JUNE).model_dump_json()
    opened = len(slack.standin.calls_to("views.open"))
    delivery = slack.sender.block_action(
        user_id="U0VP",
        action_id=ids.ACTION_CHECKIN_OPEN,
        value=unsigned,  # as the version before signing wrote it into June's prompt
        channel_id="D0VP",
        message_ts="1780000000.000100",
    )
    assert delivery.status == 200
    assert slack.standin.wait_for(lambda s: len(s.calls_to("views.open")) > opened, timeout=10)
    view = slack.opened_view(ids.VIEW_CHECKIN)
    assert "AN1" in json.dumps(view["blocks"])
    # The modal it opened is signed as this version writes it, and its answer is stored.
    assert view["private_metadata"].startswith("h1.")
    ack = slack.submit("U0VP", view, ANSWER)
    assert ack.status == 200 and not ack.body
    assert check_in_row(slack.engine, refs["AN1"]).actual == 15
