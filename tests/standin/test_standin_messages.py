"""The stand-in answers chat, conversations and users calls like Slack and keeps their state."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.standin import SlackStandIn

SECTION = {"type": "section", "block_id": "s1", "text": {"type": "mrkdwn", "text": "*Q3 review*"}}


def error_of(call, **kwargs) -> str:
    with pytest.raises(SlackApiError) as exc:
        call(**kwargs)
    return exc.value.response["error"]


def test_auth_test_names_the_bot_and_team(client: WebClient) -> None:
    r = client.auth_test()
    assert (r["team_id"], r["user_id"], r["bot_id"]) == ("T0DEMO", "UHOSHINBOT", "BHOSHINBOT")
    assert r["team"] == "Demo Co" and r["is_enterprise_install"] is False


def test_post_update_and_thread_replies_are_kept(standin: SlackStandIn, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0REVIEW", text="Q3 review", blocks=[SECTION])
    assert parent["channel"] == "C0REVIEW" and parent["message"]["text"] == "Q3 review"
    r1 = client.chat_postMessage(channel="C0REVIEW", text="reply 1", thread_ts=parent["ts"])
    client.chat_postMessage(channel="C0REVIEW", text="reply 2", thread_ts=r1["ts"])
    client.chat_update(channel="C0REVIEW", ts=parent["ts"], text="Q3 review (updated)")

    top, first, second = standin.messages("C0REVIEW")
    assert top.ts == parent["ts"] and top.thread_ts is None
    assert top.text == "Q3 review (updated)" and top.blocks == [SECTION]  # blocks kept
    assert top.edited_count == 1 and top.reply_count == 2
    assert top.user == "UHOSHINBOT"
    # A reply to a reply lands in the parent's thread, as in Slack.
    assert first.thread_ts == second.thread_ts == parent["ts"]
    # The recorded call holds decoded blocks, not a JSON string.
    assert standin.calls_to("chat.postMessage")[0].args["blocks"] == [SECTION]

    replies = client.conversations_replies(channel="C0REVIEW", ts=parent["ts"])
    assert [m["text"] for m in replies["messages"]] == ["Q3 review (updated)", "reply 1", "reply 2"]
    assert replies["messages"][0]["reply_count"] == 2


def test_update_with_empty_blocks_removes_them(standin: SlackStandIn, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0REVIEW", text="t", blocks=[SECTION])["ts"]
    client.chat_update(channel="C0REVIEW", ts=ts, blocks=[], text="plain now")
    assert standin.messages("C0REVIEW")[0].blocks is None


def test_update_and_delete_refusals(standin: SlackStandIn, client: WebClient) -> None:
    human = standin.add_message("C0REVIEW", "a person's message", user="U0CEO")
    kw = {"channel": "C0REVIEW", "ts": "1.000001", "text": "x"}
    assert error_of(client.chat_update, **kw) == "message_not_found"
    kw["ts"] = human.ts
    assert error_of(client.chat_update, **kw) == "cant_update_message"
    assert error_of(client.chat_delete, channel="C0REVIEW", ts=human.ts) == "cant_delete_message"
    assert standin.messages("C0REVIEW")[0].text == "a person's message"


def test_delete_and_permalink(standin: SlackStandIn, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0REVIEW", text="bye")["ts"]
    link = client.chat_getPermalink(channel="C0REVIEW", message_ts=ts)["permalink"]
    assert link == f"https://demo-co.slack.com/archives/C0REVIEW/p{ts.replace('.', '')}"
    client.chat_delete(channel="C0REVIEW", ts=ts)
    assert standin.messages() == []
    assert error_of(client.chat_getPermalink, channel="C0REVIEW", message_ts=ts) == (
        "message_not_found"
    )


def test_conversations_open_gives_a_stable_dm(standin: SlackStandIn, client: WebClient) -> None:
    first = client.conversations_open(users="U0CEO")
    again = client.conversations_open(users="U0CEO")
    dm = first["channel"]["id"]
    assert dm.startswith("D") and again["channel"]["id"] == dm
    assert "already_open" not in first.data and again["already_open"] is True
    client.chat_postMessage(channel=dm, text="via the D id")
    posted = client.chat_postMessage(channel="U0CEO", text="via the user id")
    assert posted["channel"] == dm  # Slack answers with the DM's id
    assert [m.text for m in standin.messages("U0CEO")] == ["via the D id", "via the user id"]
    info = client.conversations_info(channel=dm)["channel"]
    assert info["is_im"] is True and info["user"] == "U0CEO"


@pytest.mark.parametrize(
    ("user", "open_error", "post_error"),
    [
        ("U0NOBODY", "user_not_found", "channel_not_found"),
        ("U0GONE", "user_disabled", "account_inactive"),
        ("U0OTHERBOT", "cannot_dm_bot", "cannot_dm_bot"),
    ],
)
def test_people_who_cannot_be_reached(
    standin: SlackStandIn, client: WebClient, user: str, open_error: str, post_error: str
) -> None:
    assert error_of(client.conversations_open, users=user) == open_error
    assert error_of(client.chat_postMessage, channel=user, text="hi") == post_error
    assert standin.messages() == []


def test_dm_of_a_person_deactivated_later(standin: SlackStandIn, client: WebClient) -> None:
    dm = client.conversations_open(users="U0OPS")["channel"]["id"]
    standin.set_user("U0OPS", deleted=True)
    assert error_of(client.chat_postMessage, channel=dm, text="hi") == "account_inactive"


def test_users_info_and_user_not_found(client: WebClient) -> None:
    user = client.users_info(user="U0CEO")["user"]
    assert (user["id"], user["name"], user["real_name"]) == ("U0CEO", "dana", "Dana Smith")
    assert user["tz"] == "Europe/Berlin" and user["tz_offset"] in (3600, 7200)
    assert user["profile"]["real_name"] == "Dana Smith" and user["deleted"] is False
    assert client.users_info(user="U0GONE")["user"]["deleted"] is True
    assert error_of(client.users_info, user="U0NOBODY") == "user_not_found"


def test_users_info_tells_the_locale_only_when_asked(
    standin: SlackStandIn, client: WebClient
) -> None:
    assert "locale" not in client.users_info(user="U0CEO")["user"]
    assert client.users_info(user="U0CEO", include_locale=True)["user"]["locale"] == "en-US"
    standin.set_user("U0CEO", locale="ru-RU")
    assert client.users_info(user="U0CEO", include_locale=True)["user"]["locale"] == "ru-RU"
    standin.add_user("U0AIKO", tz="Asia/Tokyo", locale="ja-JP")
    members = client.users_list(include_locale=True)["members"]
    assert {m["id"]: m["locale"] for m in members}["U0AIKO"] == "ja-JP"


def test_users_list_paginates(client: WebClient) -> None:
    first = client.users_list(limit=2)
    cursor = first["response_metadata"]["next_cursor"]
    assert len(first["members"]) == 2 and cursor
    rest = client.users_list(limit=10, cursor=cursor)
    ids = {m["id"] for m in first["members"]} | {m["id"] for m in rest["members"]}
    assert {"U0CEO", "U0OPS", "UHOSHINBOT"} <= ids
    assert rest["response_metadata"]["next_cursor"] == ""


@pytest.mark.parametrize(
    ("channel", "error"),
    [("C0OUTSIDE", "not_in_channel"), ("C0OLD", "is_archived"), ("C0NOWHERE", "channel_not_found")],
)
def test_channels_the_bot_cannot_post_to(
    standin: SlackStandIn, client: WebClient, channel: str, error: str
) -> None:
    assert error_of(client.chat_postMessage, channel=channel, text="hi") == error
    assert standin.messages() == []
    assert standin.calls_to("chat.postMessage")[0].error == error


def test_channel_changes_take_effect(standin: SlackStandIn, client: WebClient) -> None:
    client.chat_postMessage(channel="C0REVIEW", text="before")
    standin.set_channel("C0REVIEW", is_member=False)
    assert error_of(client.chat_postMessage, channel="C0REVIEW", text="x") == "not_in_channel"
    standin.set_channel("C0REVIEW", is_member=True, is_archived=True)
    assert error_of(client.chat_postMessage, channel="C0REVIEW", text="x") == "is_archived"
    assert client.conversations_info(channel="C0REVIEW")["channel"]["is_archived"] is True


def test_no_text_and_too_long_text(standin: SlackStandIn, client: WebClient) -> None:
    assert error_of(client.chat_postMessage, channel="C0REVIEW") == "no_text"
    long_text = "x" * 40_001
    assert error_of(client.chat_postMessage, channel="C0REVIEW", text=long_text) == "msg_too_long"
    assert standin.messages() == []


def test_blocks_without_text_get_slacks_warning(standin: SlackStandIn, client: WebClient) -> None:
    r = client.chat_postMessage(channel="C0REVIEW", blocks=[SECTION])
    assert r["warning"] == "missing_text_or_fallback_or_attachments"
    assert r["response_metadata"]["warnings"] == ["missing_text_or_fallback_or_attachments"]
    assert len(standin.messages()) == 1
    assert "warning" not in client.chat_postMessage(channel="C0REVIEW", blocks=[SECTION], text="t")


def test_ephemeral_messages_are_kept_apart(standin: SlackStandIn, client: WebClient) -> None:
    r = client.chat_postEphemeral(channel="C0REVIEW", user="U0CEO", text="only you")
    assert r["message_ts"]
    assert standin.messages() == []
    (eph,) = standin.ephemerals(channel="C0REVIEW", user="U0CEO")
    assert eph.text == "only you" and eph.ephemeral_user == "U0CEO"
    assert standin.ephemerals(user="U0OPS") == []
    kw = {"channel": "C0REVIEW", "user": "U0NOBODY", "text": "x"}
    assert error_of(client.chat_postEphemeral, **kw) == "user_not_found"


def test_response_url_ephemeral_in_channel_and_replace(standin: SlackStandIn) -> None:
    url = standin.new_response_url(channel="C0REVIEW", user="U0CEO")
    hook = WebhookClient(url)
    r = hook.send(text="working on it")
    assert (r.status_code, r.body) == (200, "ok")
    assert [m.text for m in standin.ephemerals(user="U0CEO")] == ["working on it"]
    hook.send(text="done", replace_original=True)
    (eph,) = standin.ephemerals(user="U0CEO")
    assert eph.text == "done" and eph.edited_count == 1
    hook.send(text="for everyone", response_type="in_channel")
    assert [m.text for m in standin.messages("C0REVIEW")] == ["for everyone"]
    hook.send_dict({"delete_original": True})
    assert standin.messages("C0REVIEW") == []
    assert [p.get("text") for p in standin.response_posts(url)][:3] == [
        "working on it",
        "done",
        "for everyone",
    ]


def test_response_url_replaces_the_message_a_button_sat_on(
    standin: SlackStandIn, client: WebClient
) -> None:
    ts = client.chat_postMessage(channel="C0REVIEW", text="Approve?")["ts"]
    url = standin.new_response_url(channel="C0REVIEW", user="U0CEO", message_ts=ts)
    WebhookClient(url).send(text="Approved by Dana", replace_original=True)
    (msg,) = standin.messages("C0REVIEW")
    assert (msg.ts, msg.text, msg.edited_count) == (ts, "Approved by Dana", 1)


def test_response_url_allows_five_uses(standin: SlackStandIn) -> None:
    hook = WebhookClient(standin.new_response_url(channel="C0REVIEW", user="U0CEO"))
    statuses = [hook.send(text=f"#{i}").status_code for i in range(5)]
    sixth = hook.send(text="#6")
    assert statuses == [200] * 5
    assert (sixth.status_code, sixth.body) == (404, "used_url")
    assert len(standin.ephemerals()) == 5


def test_response_url_refuses_invalid_blocks(standin: SlackStandIn) -> None:
    hook = WebhookClient(standin.new_response_url(channel="C0REVIEW", user="U0CEO"))
    r = hook.send(text="t", blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": ""}}])
    assert (r.status_code, r.body) == (400, "invalid_blocks")
    assert standin.ephemerals() == []
