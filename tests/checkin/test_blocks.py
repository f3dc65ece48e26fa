"""Every check-in and review builder stays within Slack's limits, for huge inputs too."""

from __future__ import annotations

from datetime import date

import pytest

from bot import ids
from bot.checkin import blocks as checkin_blocks
from bot.checkin.model import Answer, AwayChange, CheckInForm, KeptReply
from bot.context import CheckInRef
from bot.periods import fiscal_periods
from bot.review import blocks as review_blocks
from bot.review.bowling import chart
from bot.review.model import CheckInReply, MonthResult, ObjectiveLine, ThreadSummary
from bot.review.threads import ReviewChannelRef
from bot.standin.blockkit import validate_message_blocks, validate_view
from storage.review import ReviewCheckIn
from tests.text import visible_text

HUGE = "Partners first, then direct sales; " * 150  # over 5,000 characters
MONTHS = fiscal_periods(2027, 1)
PLAN = [3, 6, 9, 12, 15, 18, 21, 24, 28, 32, 36, 40]


def form(**changes) -> CheckInForm:
    fields = {
        "ref": CheckInRef(objective_id=7, period="2027-06"),
        "objective_ref": "AN1.1",
        "title": "Win 40 new mid-market logos",
        "metric_name": "New logos",
        "unit": None,
        "target": 40.0,
        "plan": 18.0,
        "previous_period": "2027-05",
        "previous": Answer(12.0, "off_track"),
        "existing": None,
    }
    return CheckInForm(**{**fields, **changes})


def assert_modal_ok(view: dict) -> None:
    assert validate_view(view, expected_type="modal") == []
    assert view["callback_id"] == ids.VIEW_CHECKIN
    assert CheckInRef.parse(view["private_metadata"]) == CheckInRef(
        objective_id=7, period="2027-06"
    )
    inputs = {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs == {
        ids.FIELD_ACTUAL,
        ids.FIELD_STATUS,
        ids.FIELD_WHAT_HAPPENED,
        ids.FIELD_CHALLENGES,
        ids.FIELD_COUNTERMEASURE,
    }


def test_the_modal_shows_the_objective_its_target_this_months_plan_and_last_month():
    view = checkin_blocks.checkin_modal(form())
    assert_modal_ok(view)
    text = visible_text(view["blocks"])
    assert "*AN1.1* · Win 40 new mid-market logos" in text and "*Target*\n40" in text
    assert "*Plan for Jun 2027*\n18" in text and "12 · :red_circle: off track" in text
    assert view["title"]["text"] == "Check in"
    status = next(b for b in view["blocks"] if b.get("block_id") == ids.FIELD_STATUS)
    assert [o["value"] for o in status["element"]["options"]] == [
        "on_track",
        "at_risk",
        "off_track",
    ]
    assert "initial_option" not in status["element"]


def test_an_edit_is_filled_in_with_the_existing_check_in():
    existing = Answer(15.25, "at_risk", "Three signed", "Legal", "Standard contract")
    view = checkin_blocks.checkin_modal(form(existing=existing, comment="From the DM"))
    assert_modal_ok(view)
    by_id = {b.get("block_id"): b for b in view["blocks"]}
    assert by_id[ids.FIELD_ACTUAL]["element"]["initial_value"] == "15.25"  # never rounded
    assert by_id[ids.FIELD_STATUS]["element"]["initial_option"]["value"] == "at_risk"
    assert by_id[ids.FIELD_COUNTERMEASURE]["element"]["initial_value"] == "Standard contract"
    assert view["title"]["text"] == "Edit check-in" and view["submit"]["text"] == "Save"
    assert "From the DM" in visible_text(view["blocks"])


def test_the_modal_stays_valid_with_huge_values_and_without_a_metric():
    big = Answer(123456789.125, "off_track", HUGE, HUGE, HUGE)
    view = checkin_blocks.checkin_modal(
        form(
            objective_ref="R" * 64,
            title=HUGE,
            metric_name="M" * 300,
            unit="U" * 20,
            target=987654321.5,
            existing=big,
            comment=HUGE,
        )
    )
    assert_modal_ok(view)
    view = checkin_blocks.checkin_modal(
        form(metric_name=None, plan=None, previous=None, target=None)
    )
    assert_modal_ok(view)
    actual = next(b for b in view["blocks"] if b.get("block_id") == ids.FIELD_ACTUAL)
    assert actual["optional"] is True


# ---- the review thread ------------------------------------------------------------------------------


def check_in(objective_id: int, *, status="at_risk", actual=15.0, text=None, comment=None):
    return ReviewCheckIn(
        id=objective_id,
        objective_id=objective_id,
        period="2027-06",
        person_id=1,
        actual=actual,
        status=status,
        what_happened=text,
        challenges=text,
        countermeasure=text,
        comment=comment,
        thread_reply_ts=None,
    )


def line(i: int, *, checked: bool = True, title: str = "Win new logos", text=None) -> ObjectiveLine:
    results = {p: MonthResult(actual=PLAN[n] - 1) for n, p in enumerate(MONTHS[:5])}
    c = check_in(i, text=text, comment=text) if checked else None
    if c:
        results["2027-06"] = MonthResult(c.actual, c.status)
    return ObjectiveLine(
        objective_id=i,
        ref=f"AN{i}.{i}",
        title=title,
        owner=f"U{i:07d}",
        metric_name="New logos",
        unit="M$",
        target=40.0,
        months=tuple(chart(MONTHS[:6], PLAN, results)),
        check_in=c,
    )


def summary(lines) -> ThreadSummary:
    return ThreadSummary(period="2027-06", channel="C0HOSHIN", year=2027, lines=tuple(lines))


def test_the_parent_shows_the_month_at_a_glance():
    message = review_blocks.review_parent(summary([line(1), line(2, checked=False), line(3)]))
    assert validate_message_blocks(message.blocks) == []
    text = visible_text(message.blocks)
    assert "Monthly review · Jun 2027" in text
    assert "*2 of 3* objectives checked in · 2 of 3 owners done" in text
    assert "Waiting for <@U0000002>" in text
    assert (
        "🔴🔴🔴🔴🔴🟡 *AN1.1* Win new logos · <@U0000001> · 15 M$ vs plan 18 M$ · at risk" in text
    )
    assert "*AN2.2* Win new logos · <@U0000002> · _no check-in yet_" in text
    assert message.text == "Monthly review Jun 2027: 2 of 3 objectives checked in"


@pytest.mark.parametrize("count", [60, 200])
def test_a_parent_of_many_objectives_summarises_within_slacks_limits(count):
    lines = [line(i, checked=i % 3 != 0, title=HUGE) for i in range(1, count + 1)]
    message = review_blocks.review_parent(summary(lines))
    assert validate_message_blocks(message.blocks) == []
    assert len(message.blocks) <= 50
    text = visible_text(message.blocks)
    shown = text.count("*AN")
    if count == 60:
        assert shown == 60  # every objective of a 60-objective channel has its row
    else:
        assert f"…and {count - shown} more objectives" in text
    assert f"of {count}* objectives checked in" in text


def test_an_empty_thread_is_still_a_valid_message():
    message = review_blocks.review_parent(summary([]))
    assert validate_message_blocks(message.blocks) == []
    assert "0 of 0" in message.text


def test_a_reply_shows_the_check_in_and_the_chart_so_far():
    reply = review_blocks.check_in_reply(
        CheckInReply(line(1, text="Three logos signed"), "2027-06", "U0MGR")
    )
    assert validate_message_blocks(reply.blocks) == []
    text = visible_text(reply.blocks)
    assert "*AN1.1* Win new logos\n<@U0MGR> checked in for Jun 2027 · *at risk*" in text
    assert "*New logos*\n15 M$" in text and "*Plan*\n18 M$" in text and "*Target*\n40 M$" in text
    assert "*Countermeasure*\nThree logos signed" in text
    assert "🔴 `Jan` 2 M$ / 3 M$" in text and "🟡 `Jun` 15 M$ / 18 M$" in text


def test_a_reply_stays_within_limits_with_huge_answers():
    reply = review_blocks.check_in_reply(
        CheckInReply(line(1, title=HUGE, text=HUGE), "2027-06", None)
    )
    assert validate_message_blocks(reply.blocks) == []
    comment_only = ObjectiveLine(
        **{
            **line(2).__dict__,
            "check_in": check_in(2, status=None, actual=None, comment="Slow month"),
        }
    )
    reply = review_blocks.check_in_reply(CheckInReply(comment_only, "2027-06", "U0VP"))
    assert validate_message_blocks(reply.blocks) == []
    assert "*Replied in DM*\nSlow month" in visible_text(reply.blocks)


def test_the_admin_alert_and_the_retry_answers():
    value = ReviewChannelRef(channel="C0HOSHIN").dump()
    for reason in ("not_in_channel", "is_archived", "x" * 40):
        alert = review_blocks.held_alert("C0HOSHIN", reason, retry_value=value)
        assert validate_message_blocks(alert.blocks) == []
    button = alert.blocks[-1]["elements"][0]
    assert button["action_id"] == ids.ACTION_REVIEW_RETRY
    assert ReviewChannelRef.parse(button["value"]).channel == "C0HOSHIN"
    assert "up to date" in review_blocks.retry_answer("C0HOSHIN", None, 3)
    # The posts were released but the run had not finished within the wait: not "Posted".
    waiting = review_blocks.retry_answer("C0HOSHIN", None, 3, posted=False)
    assert "on its way" in waiting and "Posted" not in waiting
    assert "still cannot post" in review_blocks.retry_answer("C0HOSHIN", "is_archived", 3)


def test_dm_receipts_and_away_notices():
    many = KeptReply(1, "U0VP", "2027-06", [f"AN{i}" for i in range(40)], [])
    for kept in (many, KeptReply(1, "U0VP", "2027-06", [], [])):
        assert validate_message_blocks(checkin_blocks.dm_reply_receipt(kept).blocks) == []
    assert "and 30 more" in checkin_blocks.dm_reply_receipt(many).text
    for until in (date(2027, 7, 15), None):
        assert validate_message_blocks(checkin_blocks.away_notice("U0MGR", until).blocks) == []
    change = AwayChange("U0MGR", date(2027, 7, 15), True, "U0VP", asked=True)
    assert "I told <@U0VP>" in checkin_blocks.away_answer(change)
