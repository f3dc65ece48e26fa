"""The shape check of Slack's requests: what Slack sends passes, anything else is a MalformedRequest.

tests/security/test_malformed_e2e.py sends malformed bodies to the running app; here every body
bot.standin.inbound builds (as Slack builds them) must pass, and any JSON at all either passes and can be
read by Bolt, or is refused with MalformedRequest and nothing else.
"""

from __future__ import annotations

import itertools
import json
import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_bolt.request import BoltRequest

from bot.scope import team_id_of
from bot.standin.inbound import SlackPayloads
from handlers.request_shape import MalformedRequest, check_shape, parse_request_body

FORM = "application/x-www-form-urlencoded"


class StandIn:
    counter = itertools.count()

    def new_response_url(self, channel: str = "C1", user: str = "U1", **_) -> str:
        return f"http://127.0.0.1:9/response/{next(self.counter)}"

    def new_trigger_id(self) -> str:
        return f"trigger-{next(self.counter)}"


SLACK = SlackPayloads(standin=StandIn(), team_id="T0ACME")
VIEW = {
    "id": "V1",
    "type": "modal",
    "callback_id": "checkin",
    "private_metadata": '{"o": 1}',
    "blocks": [
        {"type": "input", "block_id": "actual", "element": {"type": "number_input"}},
        {"type": "input", "block_id": "what", "element": {"type": "plain_text_input"}},
        {"type": "input", "block_id": "owner", "element": {"type": "users_select"}},
        {"type": "input", "block_id": "due", "element": {"type": "datepicker"}},
        {
            "type": "input",
            "block_id": "status",
            "element": {
                "type": "static_select",
                "options": [{"text": {"type": "plain_text", "text": "On"}, "value": "on"}],
            },
        },
    ],
}


def as_form(payload: dict) -> str:
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


SLACK_BODIES = {
    "slash-command": (urllib.parse.urlencode(SLACK.slash_command_payload(user_id="U1")), FORM),
    "button": (as_form(SLACK.block_action_payload(user_id="U1", action_id="a", value="v")), FORM),
    "button-without-value": (
        as_form(SLACK.block_action_payload(user_id="U1", action_id="a")),
        FORM,
    ),
    "select": (
        as_form(
            SLACK.block_action_payload(
                user_id="U1", action_id="a", selected_option={"value": "x", "text": {}}
            )
        ),
        FORM,
    ),
    "button-in-a-view": (
        as_form(SLACK.block_action_payload(user_id="U1", action_id="a", view=VIEW)),
        FORM,
    ),
    "view-submission": (
        as_form(
            SLACK.view_submission_payload(
                user_id="U1",
                view=VIEW,
                values={"actual": "3", "what": None, "owner": "U2", "due": None, "status": "on"},
            )
        ),
        FORM,
    ),
    "dm-event": (
        json.dumps(
            SLACK.event_payload(
                {
                    "type": "message",
                    "channel_type": "im",
                    "channel": "D1",
                    "user": "U1",
                    "text": "x",
                }
            )
        ),
        "application/json",
    ),
    "home-event": (
        json.dumps(
            SLACK.event_payload(
                {"type": "app_home_opened", "user": "U1", "tab": "home", "view": VIEW}
            )
        ),
        "application/json; charset=utf-8",
    ),
    "other-event": (
        json.dumps(SLACK.event_payload({"type": "user_change", "user": {"id": "U1", "name": "a"}})),
        "application/json",
    ),
    "url-verification": (
        json.dumps({"type": "url_verification", "challenge": "abc", "token": "t"}),
        "application/json",
    ),
    "ssl-check": ("ssl_check=1&token=t", FORM),
}


@pytest.mark.parametrize("name", sorted(SLACK_BODIES))
def test_what_slack_sends_passes(name):
    text, content_type = SLACK_BODIES[name]
    assert isinstance(parse_request_body(text, content_type), dict)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "command",
                    "user",
                    "user_id",
                    "id",
                    "team",
                    "team_id",
                    "channel",
                    "enterprise",
                    "authorizations",
                    "actions",
                    "action_id",
                    "value",
                    "selected_option",
                    "view",
                    "callback_id",
                    "state",
                    "values",
                    "private_metadata",
                    "event",
                    "event_id",
                    "text",
                    "response_url",
                    "response_urls",
                    "message",
                    "is_ext_shared_channel",
                    "challenge",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=20,
)
KINDS = st.sampled_from(
    ["block_actions", "view_submission", "view_closed", "event_callback", "shortcut", "x"]
)


@settings(max_examples=400, deadline=None)
@given(body=JSON, kind=KINDS, typed=st.booleans())
def test_any_json_is_refused_cleanly_or_readable_by_bolt(body, kind, typed):
    if typed and isinstance(body, dict):
        body = {**body, "type": kind}
    text = json.dumps(body)
    try:
        parsed = parse_request_body(text, "application/json")
    except MalformedRequest as exc:
        assert exc.problem
        return
    # Passed: Bolt builds its request and context from it, and our own readers cope.
    request = BoltRequest(body=text, headers={"content-type": "application/json"})
    assert request.body == parsed
    team_id_of(parsed)


def paths(value, prefix=()):
    """Every path into a parsed body: keys of objects, indexes of lists."""
    yield prefix
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, inner in items:
        yield from paths(inner, (*prefix, key))


def replaced(body, path, new):
    if not path:
        return new
    head, *rest = path
    copy = dict(body) if isinstance(body, dict) else list(body)
    copy[head] = replaced(body[head], rest, new)
    return copy


def parsed_slack_body(name: str) -> dict:
    text, content_type = SLACK_BODIES[name]
    return parse_request_body(text, content_type)


@st.composite
def mutated(draw):
    """A body Slack sends with one value anywhere in it replaced by any JSON."""
    name = draw(st.sampled_from(sorted(set(SLACK_BODIES) - {"slash-command", "ssl-check"})))
    body = parsed_slack_body(name)
    every = list(paths(body))
    # Half the time a top-level or second-level value (team, user.id, event.type...).
    path = draw(st.sampled_from([p for p in every if len(p) <= 2]) | st.sampled_from(every))
    return replaced(body, path, draw(JSON))


@settings(max_examples=3000, deadline=None)
@given(body=mutated())
def test_a_body_with_any_value_replaced_is_refused_or_readable_by_bolt(body):
    text = json.dumps(body)
    try:
        parsed = parse_request_body(text, "application/json")
    except MalformedRequest:
        return
    request = BoltRequest(body=text, headers={"content-type": "application/json"})
    assert request.body == parsed


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60), content_type=st.sampled_from([FORM, "application/json", None]))
def test_any_text_is_parsed_or_refused_with_malformed_request(text, content_type):
    try:
        body = parse_request_body(text, content_type)
    except MalformedRequest:
        return
    assert isinstance(body, dict)


@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        5,
        "x",
        None,
        {},
        {"type": 5},
        {"type": "block_actions", "user": {"id": "U1"}, "actions": []},
        {"type": "event_callback", "event": {"type": "message", "user": {"id": "U1"}}},
        {"command": "/hoshin"},
    ],
)
def test_these_are_refused(body):
    with pytest.raises(MalformedRequest):
        check_shape(body)


def test_the_problem_names_the_field_and_never_the_value():
    secret = "confidential words"
    with pytest.raises(MalformedRequest) as refused:
        check_shape(
            {"type": "block_actions", "user": {"id": "U1"}, "actions": [{"action_id": [secret]}]}
        )
    assert refused.value.problem == "actions[0].action_id is missing or not a string"
