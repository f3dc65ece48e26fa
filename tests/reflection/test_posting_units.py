"""The reflection's posting rules and messages, without Slack: when a year is due, what fits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import ids
from bot.context import ReflectionRef
from bot.reflection import post_blocks as blocks
from bot.reflection.post import channel_of, ended_year, recently_ended
from bot.standin.blockkit import validate_message_blocks
from storage.models import Workspace
from tests.text import visible_text


@pytest.mark.parametrize(
    "start_month, zone, now, year",
    [
        (1, "UTC", datetime(2027, 12, 31, 23, 59, tzinfo=UTC), 2026),
        (1, "UTC", datetime(2028, 1, 1, 0, 0, tzinfo=UTC), 2027),
        (1, "Asia/Tokyo", datetime(2027, 12, 31, 15, 0, tzinfo=UTC), 2027),  # 00:00 in Tokyo
        (1, "America/New_York", datetime(2028, 1, 1, 4, 0, tzinfo=UTC), 2026),  # 23:00 NY
        (4, "UTC", datetime(2028, 3, 31, 12, 0, tzinfo=UTC), 2026),  # FY2027 ends 31 Mar 2028
        (4, "UTC", datetime(2028, 4, 1, 0, 0, tzinfo=UTC), 2027),
    ],
)
def test_a_year_ends_on_the_first_local_day_of_the_next(start_month, zone, now, year):
    workspace = Workspace(team_id="T1", timezone=zone, fiscal_year_start_month=start_month)
    assert ended_year(workspace, now) == year


def test_an_unknown_timezone_is_read_as_utc_rather_than_stopping_the_job():
    workspace = Workspace(team_id="T1", timezone="Mars/Olympus", fiscal_year_start_month=1)
    assert ended_year(workspace, datetime(2028, 1, 1, 0, 0, tzinfo=UTC)) == 2027


@pytest.mark.parametrize(
    "now, recent",
    [
        (datetime(2028, 1, 1, 0, 0, tzinfo=UTC), True),
        (datetime(2028, 3, 1, 12, 0, tzinfo=UTC), True),  # 60 days after 1 January
        (datetime(2028, 3, 2, 12, 0, tzinfo=UTC), False),
        (datetime(2028, 6, 15, 12, 0, tzinfo=UTC), False),  # a bot first deployed in June
    ],
)
def test_the_job_claims_a_year_by_itself_only_soon_after_it_ended(now, recent):
    workspace = Workspace(team_id="T1", timezone="UTC", fiscal_year_start_month=1)
    assert recently_ended(workspace, 2027, now) is recent


def test_the_leadership_channel_else_the_review_channel():
    assert channel_of(Workspace(team_id="T1", leadership_channel="C1", review_channel="C2")) == "C1"
    assert channel_of(Workspace(team_id="T1", review_channel="C2")) == "C2"
    assert channel_of(Workspace(team_id="T1")) is None


def test_the_button_context_is_ids_only_and_refuses_anything_else():
    value = ReflectionRef(workspace_id=3, year=2027).dump()
    assert ReflectionRef.parse(value) == ReflectionRef(workspace_id=3, year=2027)
    with pytest.raises(Exception, match="no longer matches"):
        ReflectionRef.parse('{"workspace_id": 3, "year": 2027, "admin": true}')
    with pytest.raises(Exception, match="no longer matches"):
        ReflectionRef.parse('{"year": 2027}')


def test_the_held_alert_says_why_and_offers_try_again_within_limits():
    message = blocks.held_alert("C0LEAD", 2027, "is_archived", retry_value="{}")
    assert validate_message_blocks(message.blocks) == []
    assert "it is archived" in visible_text(message.blocks)
    [button] = message.blocks[-1]["elements"]
    assert button["action_id"] == ids.ACTION_REFLECTION_RETRY
    assert validate_message_blocks(blocks.no_channel_alert(2027).blocks) == []


def test_the_closing_reply_loses_its_button_and_says_who_started_next_year():
    button = {
        "type": "actions",
        "block_id": ids.BLOCK_REFLECTION_ACTIONS,
        "elements": [
            {
                "type": "button",
                "action_id": ids.ACTION_REFLECTION_CARRYOVER,
                "text": {"type": "plain_text", "text": "Start"},
                "value": "{}",
            }
        ],
    }
    intro = {"type": "section", "text": {"type": "mrkdwn", "text": "Carry-overs"}}
    at = datetime(2028, 1, 3, 9, 0, tzinfo=UTC)
    closing = {"text": "closing", "blocks": [intro, button]}
    updated = blocks.closing_started(closing, by="U0CEO", at=at, year=2028, refs=["AN3", "AN4"])
    assert validate_message_blocks(updated["blocks"]) == []
    assert updated["blocks"][0] == intro and not blocks.has_carryover_button(updated)
    text = visible_text(updated["blocks"])
    assert "<@U0CEO>" in text and "2 draft objectives" in text and "`AN3`" in text
    # A closing reply of 50 blocks stays at 50.
    full = {"text": "x", "blocks": [intro] * 49 + [button]}
    assert len(blocks.closing_started(full, by="U1", at=at, year=2028, refs=[])["blocks"]) == 50
