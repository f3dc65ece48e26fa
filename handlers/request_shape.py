"""The shape of what Slack sends, checked once before Bolt or a listener reads a request.

Bolt builds its context from the parsed body with `payload.get(...)`, `"id" in team` and
`payload["actions"][0]`, and the listeners read `body["user"]["id"]`, `view["state"]["values"]`
and the like: a signed body of another shape (a list, a number, a `user` that is a string) made
them raise and the request end in HTTP 500. Every field they read is checked here, for its type
and, where a kind of request cannot do without it, for its presence; anything else Slack adds
passes untouched. The problem named in MalformedRequest comes from this file's own words (field
paths and types), never from the request, so it is safe to log.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.request import BoltRequest


class MalformedRequest(ValueError):
    """A request body Slack would not send: not parseable, or a field of the wrong shape."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def parse_body(text: str, content_type: str | None) -> Any:
    """The body Slack posted: JSON, or a form that is an interaction's `payload=<json>` or not.

    Bolt's own parse_body takes any form holding the word "payload" anywhere for an
    interaction, and one without the field for {}: `/hoshin action AN1 Cut the payload size`
    reached no listener. Here a form is an interaction only when it has the `payload` field.
    """
    if not text:
        return {}
    if content_type == "application/json" or text.startswith("{"):
        return json.loads(text)
    fields = dict(parse_qsl(text, keep_blank_values=True))
    return json.loads(fields["payload"]) if "payload" in fields else fields


class SlackRequest(BoltRequest):
    """A BoltRequest whose HTTP body is parsed by `parse_body` above, in every copy of it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Bolt has parsed it already; only a non-empty body it read as {} is read again.
        if self.mode == "http" and not self.body and self.raw_body:
            self.body = parse_body(self.raw_body, self.content_type)

    def to_copyable(self) -> SlackRequest:  # a lazy listener's copy parses the raw body again
        return SlackRequest(
            body=self.raw_body if self.mode == "http" else self.body,
            query=self.query,
            headers=self.headers,
            context=self.context.to_copyable(),
            mode=self.mode,
        )


def parse_request_body(text: str, content_type: str | None) -> dict[str, Any]:
    """The body as the app reads it (JSON, or a form with or without `payload=<json>`), checked."""
    kind = content_type.split(";")[0] if content_type else None
    try:
        body = parse_body(text, kind)
    except (ValueError, RecursionError) as exc:  # not JSON, or JSON nested too deep to parse
        raise MalformedRequest(f"the body cannot be parsed ({exc.__class__.__name__})") from None
    check_shape(body)
    return body


def check_shape(body: Any) -> None:
    """Raise MalformedRequest unless `body` has the shape of a request Slack sends."""
    try:
        _check(body)
    except RecursionError:  # events in events in events...: Slack nests a few levels at most
        raise MalformedRequest("the body nests objects too deep") from None


def _check(body: Any) -> None:
    if not isinstance(body, dict):
        raise MalformedRequest(f"the body is {_name(body)}, not an object")
    if "command" in body:  # a slash command: a form, so every field is a string
        _strings(body, "", required=("command", "user_id"))
        if not all(isinstance(value, str) for value in body.values()):
            raise MalformedRequest("a slash command has a field that is not a string")
        return
    if "ssl_check" in body:  # Slack's certificate check; Bolt answers it
        return
    kind = body.get("type")
    if not isinstance(kind, str):
        raise MalformedRequest("type is missing or not a string")
    _common(body, "")
    check = BY_KIND.get(kind)
    if check is not None:
        check(body)


TOP_STRINGS = (
    "team_id",
    "user_id",
    "channel_id",
    "enterprise_id",
    "api_app_id",
    "trigger_id",
    "response_url",
    "event_id",
    "thread_ts",
    "callback_id",
    "action_id",
)
VIEW_STRINGS = (
    "id",
    "callback_id",
    "private_metadata",
    "hash",
    "team_id",
    "app_installed_team_id",
    "root_view_id",
    "previous_view_id",
    "external_id",
    "type",
)
ELEMENT_STRINGS = (
    "type",
    "value",
    "selected_user",
    "selected_conversation",
    "selected_channel",
    "selected_date",
    "selected_time",
)
ACTION_STRINGS = ("block_id", "type", "value", "action_ts", *ELEMENT_STRINGS[2:])
EVENT_STRINGS = (
    "text",
    "ts",
    "thread_ts",
    "subtype",
    "channel_type",
    "bot_id",
    "tab",
    "team",
    "user_team",
    "event_ts",
)
# Events whose `user` the listeners take as the acting person's id.
EVENTS_WITH_USER_ID = frozenset({"message", "app_home_opened"})


def _common(obj: dict[str, Any], path: str) -> None:
    """What Bolt reads of any request to build its context, and of every object it recurses
    into the same way (an authorization, the event, a message, an item)."""
    _strings(obj, path, optional=TOP_STRINGS)
    for key in ("team", "enterprise", "channel", "user"):
        _reference(obj, key, path)
    _optional_object(obj, "container", path)
    _optional_object(obj, "function_data", path)
    for key in NESTED:
        inner = _optional_object(obj, key, path)
        if inner is not None:
            _common(inner, f"{path}{key}.")
    _list_of_objects(obj, "authorizations", path)
    for index, authorization in enumerate(obj.get("authorizations") or ()):
        _common(authorization, f"{path}authorizations[{index}].")
    if "response_urls" in obj:  # Bolt takes len() of it, and cannot log about a second one
        urls = obj["response_urls"]
        if not isinstance(urls, list) or len(urls) > 1:
            raise MalformedRequest(f"{path}response_urls is not a list of at most one")
        _list_of_objects(obj, "response_urls", path, strings=("response_url",))
    if obj.get("view") is not None:
        _view(_object(obj, "view", path), f"{path}view.")


# Objects Bolt reads like a request of their own when it looks for a team, user or channel.
NESTED = ("event", "message", "previous_message", "item", "assistant_thread")


def _interaction(body: dict[str, Any]) -> None:
    """Every interaction names the person acting: `user.id`."""
    user = body.get("user")
    if not isinstance(user, dict):
        raise MalformedRequest("user is missing or not an object")


def _block_actions(body: dict[str, Any]) -> None:
    _interaction(body)
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions:
        raise MalformedRequest("actions is missing, empty or not a list")
    for index, action in enumerate(actions):
        path = f"actions[{index}]."
        if not isinstance(action, dict):
            raise MalformedRequest(f"{path[:-1]} is {_name(action)}, not an object")
        _strings(action, path, required=("action_id",), optional=ACTION_STRINGS)
        _option(action, path)


def _view_payload(body: dict[str, Any]) -> None:
    _interaction(body)
    view = _object(body, "view", "")
    _strings(view, "view.", required=("callback_id", "type"))  # Bolt reads view.type too


def _options_request(body: dict[str, Any]) -> None:
    _interaction(body)
    _strings(body, "", required=("action_id",), optional=("value", "block_id"))


def _shortcut(body: dict[str, Any]) -> None:
    _interaction(body)
    _strings(body, "", required=("callback_id",))


def _event_callback(body: dict[str, Any]) -> None:
    event = _object(body, "event", "")  # its references were checked with the body's
    _strings(event, "event.", required=("type",), optional=EVENT_STRINGS)
    if event["type"] in EVENTS_WITH_USER_ID:
        _strings(event, "event.", optional=("user",))


def _url_verification(body: dict[str, Any]) -> None:
    _strings(body, "", required=("challenge",))


BY_KIND: Mapping[str, Callable[[dict[str, Any]], None]] = {
    "block_actions": _block_actions,
    "view_submission": _view_payload,
    "view_closed": _view_payload,
    "block_suggestion": _options_request,
    "shortcut": _shortcut,
    "message_action": _shortcut,
    "event_callback": _event_callback,
    "url_verification": _url_verification,
}


def _view(view: dict[str, Any], path: str) -> None:
    _strings(view, path, optional=VIEW_STRINGS)
    state = _optional_object(view, "state", path)
    if state is None:
        return
    values = _optional_object(state, "values", path + "state.")
    for inputs in (values or {}).values():
        if not isinstance(inputs, dict):
            raise MalformedRequest(f"{path}state.values.<block> is {_name(inputs)}, not an object")
        for element in inputs.values():
            if not isinstance(element, dict):
                raise MalformedRequest(
                    f"{path}state.values.<block>.<input> is {_name(element)}, not an object"
                )
            _strings(element, f"{path}state.values.<block>.<input>.", optional=ELEMENT_STRINGS)
            _option(element, f"{path}state.values.<block>.<input>.")


def _option(element: dict[str, Any], path: str) -> None:
    option = _optional_object(element, "selected_option", path)
    if option is not None:
        _strings(option, path + "selected_option.", optional=("value",))
    _list_of_objects(element, "selected_options", path, strings=("value",))


def _strings(
    obj: dict[str, Any],
    path: str,
    *,
    required: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
) -> None:
    for key in required:
        if not isinstance(obj.get(key), str):
            raise MalformedRequest(f"{path}{key} is missing or not a string")
    for key in optional:
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            raise MalformedRequest(f"{path}{key} is {_name(value)}, not a string")


def _reference(obj: dict[str, Any], key: str, path: str) -> None:
    """`team`, `user`, `channel`, `enterprise`: an id, or an object whose `id` is a string."""
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return
    if not isinstance(value, dict):
        raise MalformedRequest(f"{path}{key} is {_name(value)}, not an object or an id")
    _strings(value, f"{path}{key}.", optional=("id", "team_id"))
    if key == "user" and not isinstance(value.get("id"), str):
        raise MalformedRequest(f"{path}user.id is missing or not a string")


def _object(obj: dict[str, Any], key: str, path: str) -> dict:
    value = obj.get(key)
    if not isinstance(value, dict):
        raise MalformedRequest(f"{path}{key} is {_name(value)}, not an object")
    return value


def _optional_object(obj: dict[str, Any], key: str, path: str) -> dict | None:
    return None if obj.get(key) is None else _object(obj, key, path)


def _list_of_objects(
    obj: dict[str, Any], key: str, path: str, *, strings: tuple[str, ...] = ()
) -> None:
    value = obj.get(key)
    if value is None:
        return
    if not isinstance(value, list):
        raise MalformedRequest(f"{path}{key} is {_name(value)}, not a list")
    for item in value:
        if not isinstance(item, dict):
            raise MalformedRequest(f"{path}{key}[] holds {_name(item)}, not objects")
        _strings(item, f"{path}{key}[].", optional=strings)


def _name(value: Any) -> str:
    """A JSON type's name for the log: never the value itself."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"
