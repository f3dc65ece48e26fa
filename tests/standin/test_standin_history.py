"""conversations.history and .replies: message metadata, and the oldest/latest window."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.standin import SlackStandIn

MARK = {"event_type": "hoshin_outbox", "event_payload": {"outbox_id": 7}}


def test_metadata_is_stored_and_returned_only_when_asked(standin: SlackStandIn, client: WebClient):
    posted = client.chat_postMessage(channel="U0CEO", text="Your check-in", metadata=MARK)
    assert posted["message"]["metadata"] == MARK  # as Slack echoes it
    [stored] = standin.messages("U0CEO")
    assert stored.metadata == MARK

    plain = client.conversations_history(channel=posted["channel"])
    assert "metadata" not in plain["messages"][0]
    full = client.conversations_history(channel=posted["channel"], include_all_metadata=True)
    assert full["messages"][0]["metadata"] == MARK


def test_history_honours_oldest_latest_and_inclusive(standin: SlackStandIn, client: WebClient):
    ts = [client.chat_postMessage(channel="C0REVIEW", text=f"#{i}")["ts"] for i in range(4)]

    def texts(**kw) -> list[str]:
        return [
            m["text"] for m in client.conversations_history(channel="C0REVIEW", **kw)["messages"]
        ]

    assert texts() == ["#3", "#2", "#1", "#0"]
    assert texts(oldest=ts[1]) == ["#3", "#2"]
    assert texts(oldest=ts[1], inclusive=True) == ["#3", "#2", "#1"]
    assert texts(oldest=ts[0], latest=ts[3]) == ["#2", "#1"]
    page = client.conversations_history(channel="C0REVIEW", oldest=ts[0], limit=2)
    assert [m["text"] for m in page["messages"]] == ["#3", "#2"] and page["has_more"]


def test_replies_honour_oldest_and_metadata(standin: SlackStandIn, client: WebClient):
    parent = client.chat_postMessage(channel="C0REVIEW", text="Review 2027-03")["ts"]
    first = client.chat_postMessage(channel="C0REVIEW", thread_ts=parent, text="AN1")["ts"]
    client.chat_postMessage(channel="C0REVIEW", thread_ts=parent, text="AN2", metadata=MARK)

    found = client.conversations_replies(
        channel="C0REVIEW", ts=parent, oldest=first, include_all_metadata=True
    )["messages"]
    assert [(m["text"], m.get("metadata")) for m in found] == [("AN2", MARK)]


def test_a_bad_oldest_is_refused(standin: SlackStandIn, client: WebClient):
    with pytest.raises(SlackApiError) as exc:
        client.conversations_history(channel="C0REVIEW", oldest="soon")
    assert exc.value.response["error"] == "invalid_ts_oldest"
