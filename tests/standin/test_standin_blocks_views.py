"""Block Kit limits are refused as Slack refuses them; views, triggers and file uploads work."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.standin import SlackStandIn, validate_message_blocks, validate_view
from bot.standin.blockkit import message_blocks_problem, view_problem


def section(text: str, block_id: str | None = None) -> dict:
    block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


def button(text: str, action_id: str = "approve", value: str = "v") -> dict:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }


def actions(*elements: dict) -> dict:
    return {"type": "actions", "elements": list(elements)}


def text_input(initial: str, max_length: int | None = None) -> dict:
    element = {"type": "plain_text_input", "action_id": "v", "initial_value": initial}
    if max_length is not None:
        element["max_length"] = max_length
    label = {"type": "plain_text", "text": "Actual"}
    return {"type": "input", "block_id": "actual", "label": label, "element": element}


def modal(title: str = "Check-in", blocks: list | None = None, **extra) -> dict:
    view = {
        "type": "modal",
        "callback_id": "checkin",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [section("hello")] if blocks is None else blocks,
    }
    view.update(extra)
    return view


@pytest.mark.parametrize(
    ("blocks", "reason"),
    [
        ([section(f"b{i}") for i in range(51)], "no more than 50 items"),
        ([section("x" * 3001)], "must be less than 3001 characters"),
        ([actions(button("x" * 76))], "75 characters"),
        ([section("a", "same"), section("b", "same")], "duplicate block_id"),
    ],
    ids=["51-blocks", "3001-char-section", "76-char-button", "duplicate-block-id"],
)
def test_invalid_blocks_are_refused_and_not_stored(
    standin: SlackStandIn, client: WebClient, blocks: list, reason: str
) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C0REVIEW", text="fallback", blocks=blocks)
    data = exc.value.response.data
    assert data["error"] == "invalid_blocks"
    assert any(reason in e for e in data["errors"]), data["errors"]
    assert data["response_metadata"]["messages"][0].startswith("[ERROR] ")
    assert standin.messages() == []


def test_invalid_blocks_refused_on_update_too(standin: SlackStandIn, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0REVIEW", text="ok")["ts"]
    with pytest.raises(SlackApiError) as exc:
        client.chat_update(channel="C0REVIEW", ts=ts, text="t", blocks=[section("x" * 3001)])
    assert exc.value.response["error"] == "invalid_blocks"
    assert standin.messages()[0].edited_count == 0


def test_summed_block_text_over_limit_is_msg_blocks_too_long(
    standin: SlackStandIn, client: WebClient
) -> None:
    blocks = [section("x" * 2500) for _ in range(5)]  # each fine, 12,500 together
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C0REVIEW", text="t", blocks=blocks)
    assert exc.value.response["error"] == "msg_blocks_too_long"
    assert standin.messages() == []


@pytest.mark.parametrize(
    ("blocks", "reason"),
    [
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "hi"}}], "plain_text"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "151"),
        ([actions(*(button("b", f"a{i}") for i in range(26)))], "1 to 25"),
        ([{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}], "1 to 10"),
        ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}], "1 to 10"),
        ([{"type": "section", "text": "a bare string"}], "expected a text object"),
        ([actions(button("a", "dup"), button("b", "dup"))], "duplicate action_id"),
        ([actions(button("a", "x" * 256))], "255"),
        ([section("a", "b" * 256)], "255"),
        ([actions(button("a", value="v" * 2001))], "2001"),
        ([{"type": "image", "image_url": "https://x/y.png"}], "alt_text"),
        ([{"type": "no_such_block"}], "unknown block type"),
        ([section("")], "more than 0 characters"),
    ],
)
def test_message_block_checks(blocks: list, reason: str) -> None:
    errors = validate_message_blocks(blocks)
    assert any(reason in e for e in errors), errors


def select(n_options: int, text: str = "o", value: str = "v") -> dict:
    options = [
        {"text": {"type": "plain_text", "text": text}, "value": f"{value}{i}"}
        for i in range(n_options)
    ]
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "pick"},
        "accessory": {"type": "static_select", "action_id": "pick", "options": options},
    }


@pytest.mark.parametrize(
    ("block", "reason"),
    [
        (select(101), "1 to 100"),
        (select(1, text="t" * 76), "76"),
        (select(1, value="v" * 151), "150"),
    ],
)
def test_select_option_limits(block: dict, reason: str) -> None:
    assert any(reason in e for e in validate_message_blocks([block]))


def test_valid_blocks_pass_the_pure_validator() -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Bowling chart"}},
        section("*Revenue*", "obj-1"),
        {"type": "divider"},
        select(3),
        actions(button("Approve", "approve"), button("Reject", "reject")),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "due Friday"}]},
    ]
    assert validate_message_blocks(blocks) == []
    assert message_blocks_problem(blocks) == (None, [])
    assert validate_view(modal(blocks=blocks)) == []


@pytest.mark.parametrize(
    ("view", "code", "reason"),
    [
        (modal(title="t" * 25), "invalid_arguments", "less than 25 characters"),
        (modal(blocks=[section("a", "same"), section("b", "same")]), "invalid_arguments", "dup"),
        (modal(private_metadata="m" * 3001), "invalid_arguments", "3000"),
        (modal(callback_id="c" * 256), "invalid_arguments", "255"),
        (modal(blocks=[section(f"{i}") for i in range(101)]), "invalid_arguments", "100 items"),
        ({"type": "popup", "blocks": []}, "invalid_arguments", "modal, home"),
        (modal(blocks=[section("x" * 2900)] * 90), "view_too_large", "bytes"),
        (modal(blocks=[text_input("1" * 41, max_length=40)]), "invalid_arguments", "max_length"),
        (modal(blocks=[text_input("x" * 3001)]), "invalid_arguments", "3000"),
    ],
    ids=[
        "25-char-title",
        "dup-block-id",
        "metadata",
        "callback-id",
        "101-blocks",
        "type",
        "size",
        "initial-over-max-length",
        "initial-over-3000",
    ],
)
def test_view_checks(view: dict, code: str, reason: str) -> None:
    got_code, errors = view_problem(view)
    assert got_code == code
    assert any(reason in e for e in errors), errors


def test_home_tab_rules() -> None:
    home_input = {
        "type": "home",
        "blocks": [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "x"},
                "element": {"type": "plain_text_input", "action_id": "x"},
            }
        ],
    }
    assert any("only allowed in modals" in e for e in validate_view(home_input))
    many = {"type": "home", "blocks": [section(f"{i}") for i in range(100)]}
    assert validate_view(many) == []
    assert validate_view(many, expected_type="modal")  # publish wants home, open wants modal


def test_views_open_refuses_a_long_title_and_keeps_the_trigger(
    standin: SlackStandIn, client: WebClient
) -> None:
    trigger = standin.new_trigger_id()
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id=trigger, view=modal(title="A title of 25 characters!"))
    assert exc.value.response["error"] == "invalid_arguments"
    assert (
        "[json-pointer:/view/title/text]" in exc.value.response["response_metadata"]["messages"][0]
    )
    assert standin.views == {}
    assert client.views_open(trigger_id=trigger, view=modal())["ok"]  # not used up


def test_views_open_update_push_and_publish(standin: SlackStandIn, client: WebClient) -> None:
    opened = client.views_open(trigger_id=standin.new_trigger_id(), view=modal())["view"]
    vid = opened["id"]
    assert opened["type"] == "modal" and opened["root_view_id"] == vid and opened["hash"]
    updated = client.views_update(view_id=vid, hash=opened["hash"], view=modal(title="Saved"))
    assert standin.views[vid]["title"]["text"] == "Saved"
    with pytest.raises(SlackApiError) as exc:
        client.views_update(view_id=vid, hash=opened["hash"], view=modal())  # stale hash
    assert exc.value.response["error"] == "hash_conflict"
    assert updated["view"]["hash"] != opened["hash"]

    pushed = client.views_push(trigger_id=standin.new_trigger_id(vid), view=modal(title="Step 2"))
    assert pushed["view"]["root_view_id"] == vid and pushed["view"]["previous_view_id"] == vid

    home = {"type": "home", "blocks": [section("Your objectives")]}
    client.views_publish(user_id="U0CEO", view=home)
    assert standin.home_views["U0CEO"]["blocks"] == home["blocks"]
    with pytest.raises(SlackApiError) as exc:
        client.views_publish(user_id="U0CEO", view=modal())
    assert exc.value.response["error"] == "invalid_arguments"
    with pytest.raises(SlackApiError) as exc:
        client.views_update(view_id="V404", view=modal())
    assert exc.value.response["error"] == "not_found"


def test_trigger_ids_expire_and_are_single_use(new_standin, client_for) -> None:
    s = new_standin(rate_limits=False, trigger_ttl=0.2)
    client = client_for(s)
    fresh, stale = s.new_trigger_id(), s.new_trigger_id()
    client.views_open(trigger_id=fresh, view=modal())
    time.sleep(0.25)
    for trigger in (stale, "1.2.unknown", fresh):
        with pytest.raises(SlackApiError) as exc:
            client.views_open(trigger_id=trigger, view=modal())
        assert exc.value.response["error"] == "expired_trigger_id"
    again = s.new_trigger_id()
    client.views_open(trigger_id=again, view=modal())
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id=again, view=modal())
    assert exc.value.response["error"] == "exchanged_trigger_id"
    assert len(s.views) == 2


def test_files_upload_v2_end_to_end(standin: SlackStandIn, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0REVIEW", text="Q3 review")["ts"]
    content = b"objective,plan,actual\nrevenue,10,12\n"
    r = client.files_upload_v2(
        content=content,
        filename="bowling.csv",
        title="Bowling chart",
        channel="C0REVIEW",
        thread_ts=parent,
        initial_comment="Q3 numbers",
    )
    assert r["file"]["title"] == "Bowling chart"
    (f,) = standin.files
    assert (f.filename, f.title, f.bytes) == ("bowling.csv", "Bowling chart", content)
    assert (f.channel_id, f.thread_ts, f.shared) == ("C0REVIEW", parent, True)
    top, share = standin.messages("C0REVIEW")
    assert share.thread_ts == parent and share.files == [f.id] and share.text == "Q3 numbers"
    assert top.reply_count == 1
    methods = [c.method for c in standin.calls]
    assert methods[-3:] == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]


def test_file_share_into_a_channel_the_bot_left(standin: SlackStandIn, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.files_upload_v2(content=b"x", filename="a.txt", channel="C0OUTSIDE")
    assert exc.value.response["error"] == "not_in_channel"
    assert [f.shared for f in standin.files] == [False]
