"""Signed but malformed requests: 400 with one log line, never a 500, and nothing happens.

Only someone holding the signing secret can send these (Slack never does), so they are bugs or
an attacker with the secret; either way the answer is a plain refusal, not a traceback, and the
next good request is served as before.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import ids
from tests.e2e.seed import small_plan
from tests.security.twoworkspaces import snapshot

TEAM = "T0ACME"
USER = {"id": "U0CEO", "team_id": TEAM}


def form(**fields) -> tuple[str, str]:
    return urllib.parse.urlencode(fields), "application/x-www-form-urlencoded"


def payload(value) -> tuple[str, str]:
    """An interaction: `payload=<json>` in a form, as Slack posts clicks and submissions."""
    return form(payload=json.dumps(value))


def raw_json(text: str) -> tuple[str, str]:
    return text, "application/json"


def event(inner) -> tuple[str, str]:
    body = {"type": "event_callback", "team_id": TEAM, "event_id": "Ev0BAD", "event": inner}
    return raw_json(json.dumps(body))


CLICK = {"type": "block_actions", "user": USER, "team": {"id": TEAM}, "trigger_id": "t"}
SUBMIT = {"type": "view_submission", "user": USER, "team": {"id": TEAM}, "trigger_id": "t"}

MALFORMED = {
    # Interaction payloads that are not objects, or objects without a type.
    "payload-not-json": form(payload="{'type': 'block_actions'"),
    "payload-list": payload([1, 2]),
    "payload-string": payload("block_actions"),
    "payload-number": payload(5),
    "payload-null": payload(None),
    "payload-object-without-type": payload({"user": USER, "team": {"id": TEAM}}),
    "payload-type-number": payload({**CLICK, "type": 5}),
    "payload-type-list": payload({**CLICK, "type": ["block_actions"]}),
    # Nested types wrong.
    "click-user-string": payload({**CLICK, "user": "U0CEO", "actions": []}),
    "click-user-id-number": payload({**CLICK, "user": {"id": 5}, "actions": []}),
    "click-team-number": payload({**CLICK, "team": 5, "actions": []}),
    "click-actions-object": payload({**CLICK, "actions": {"action_id": "x"}}),
    "click-actions-empty": payload({**CLICK, "actions": []}),
    "click-action-number": payload({**CLICK, "actions": [5]}),
    "click-action-id-number": payload({**CLICK, "actions": [{"action_id": 5, "block_id": "b"}]}),
    "click-value-object": payload(
        {**CLICK, "actions": [{"action_id": "status_open", "block_id": "b", "value": {"a": 1}}]}
    ),
    "click-authorizations-object": payload(
        {**CLICK, "actions": [{"action_id": "x", "block_id": "b"}], "authorizations": {"a": 1}}
    ),
    "submit-view-list": payload({**SUBMIT, "view": [1]}),
    "submit-callback-number": payload(
        {**SUBMIT, "view": {"id": "V1", "type": "modal", "callback_id": 5}}
    ),
    "submit-view-without-type": payload(
        {**SUBMIT, "view": {"id": "V1", "callback_id": "checkin_modal"}}
    ),
    "submit-state-values-list": payload(
        {**SUBMIT, "view": {"id": "V1", "callback_id": "checkin", "state": {"values": [1]}}}
    ),
    "submit-metadata-object": payload(
        {**SUBMIT, "view": {"id": "V1", "callback_id": "checkin", "private_metadata": {"a": 1}}}
    ),
    "submit-response-urls-object": payload(
        {**SUBMIT, "view": {"id": "V1", "callback_id": "x"}, "response_urls": {"a": 1}}
    ),
    # Form posts that are neither a slash command nor an interaction.
    "form-without-command": form(team_id=TEAM, user_id="U0CEO", text="status"),
    "command-without-user": form(command="/hoshin", team_id=TEAM, text="status"),
    # JSON bodies that are not objects.
    "json-number": raw_json("5"),
    "json-list": raw_json("[1, 2]"),
    "json-string": raw_json('"event_callback"'),
    "json-null": raw_json("null"),
    "json-nested-100000-deep": raw_json("[" * 100_000 + "]" * 100_000),
    "json-object-without-type": raw_json(json.dumps({"team_id": TEAM})),
    "json-command-number": raw_json(json.dumps({"command": 5, "team_id": TEAM})),
    # Events whose event is missing or of the wrong shape.
    "event-missing": raw_json(json.dumps({"type": "event_callback", "team_id": TEAM})),
    "event-number": event(5),
    "event-list": event([{"type": "message"}]),
    "event-type-number": event({"type": 5}),
    "event-without-type": event({"user": "U0CEO"}),
    "event-message-user-list": event(
        {"type": "message", "channel_type": "im", "channel": "D1", "user": ["U0CEO"], "text": "x"}
    ),
    "event-message-text-number": event(
        {"type": "message", "channel_type": "im", "channel": "D1", "user": "U0CEO", "text": 5}
    ),
    "event-home-user-object": event({"type": "app_home_opened", "user": {"id": "U0CEO"}}),
    "event-authorizations-list-of-numbers": raw_json(
        json.dumps(
            {
                "type": "event_callback",
                "team_id": TEAM,
                "authorizations": [5],
                "event": {"type": "app_home_opened", "user": "U0CEO"},
            }
        )
    ),
    "event-id-number": raw_json(
        json.dumps(
            {
                "type": "event_callback",
                "team_id": TEAM,
                "event_id": 5,
                "event": {"type": "app_home_opened", "user": 5},
            }
        )
    ),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_signed_malformed_request_gets_400_and_changes_nothing(slack, caplog, name):
    small_plan(slack.engine)
    before = snapshot(slack.engine)
    body, content_type = MALFORMED[name]
    caplog.set_level(logging.INFO)
    caplog.clear()
    delivery = slack.sender.post(body, content_type=content_type)
    assert delivery.status == 400, (delivery.status, delivery.body[:300])
    time.sleep(0.3)  # give a wrongly accepted request the time to do something
    refusals = [r for r in caplog.records if "malformed" in r.getMessage()]
    assert len(refusals) == 1, [r.getMessage() for r in caplog.records]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert slack.standin.calls == []
    assert snapshot(slack.engine) == before
    # The server goes on: the next good request is acked and answered.
    delivery = slack.sender.slash_command(user_id="U0CEO", text="status")
    assert delivery.status == 200
    assert "Grow ARR" in json.dumps(slack.answer_to(delivery))


def test_a_malformed_request_without_a_valid_signature_gets_401_not_400(slack):
    """The signature is checked before the body is looked at."""
    body, content_type = MALFORMED["payload-list"]
    delivery = slack.sender.post(body, content_type=content_type, signature="v0=" + "0" * 64)
    assert delivery.status == 401


# ---- any value anywhere in a request our listeners take: never a 500 --------------------------

ACTION_IDS = sorted(v for k, v in vars(ids).items() if k.startswith("ACTION_"))
VIEW_IDS = sorted(v for k, v in vars(ids).items() if k.startswith("VIEW_"))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["id", "type", "value", "user", "x"]), inner, max_size=3)
    ),
    max_leaves=8,
)


def paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from paths(inner, (*prefix, index))


def replaced(body, path, new):
    if not path:
        return new
    head, *rest = path
    copy = dict(body) if isinstance(body, dict) else list(body)
    copy[head] = replaced(body[head], rest, new)
    return copy


@st.composite
def requests(draw, sender):
    """A click, a submission or an event our listeners take, one value replaced by any JSON."""
    kind = draw(st.sampled_from(["click", "submit", "dm", "home"]))
    if kind == "click":
        body = sender.block_action_payload(
            user_id="U0CEO", action_id=draw(st.sampled_from(ACTION_IDS)), value="1"
        )
    elif kind == "submit":
        view = {"id": "V1", "type": "modal", "callback_id": draw(st.sampled_from(VIEW_IDS))}
        body = sender.view_submission_payload(
            user_id="U0CEO", view={**view, "blocks": []}, values={}
        )
        body["view"]["state"] = {
            "values": {"b": {"value": {"type": "plain_text_input", "value": "x"}}}
        }
        body["view"]["private_metadata"] = "{}"
    elif kind == "dm":
        event = {"type": "message", "channel_type": "im", "channel": "D1", "user": "U0CEO"}
        body = sender.event_payload({**event, "text": "x", "ts": "1.2"})
    else:
        body = sender.event_payload({"type": "app_home_opened", "user": "U0CEO", "tab": "home"})
    every = list(paths(body))
    path = draw(st.sampled_from([p for p in every if len(p) <= 3]) | st.sampled_from(every))
    return kind, replaced(body, path, draw(JSON))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_value_anywhere_in_a_signed_request_never_gets_a_500(slack, data):
    kind, body = data.draw(requests(slack.sender))
    if kind in ("click", "submit"):
        delivery = slack.sender.post(urllib.parse.urlencode({"payload": json.dumps(body)}))
    else:
        delivery = slack.sender.post(json.dumps(body), content_type="application/json")
    assert delivery.status in (200, 400, 404), (delivery.status, body)
