"""Pulling what people entered out of a submitted view's state, field by field."""

from __future__ import annotations

from typing import Any

from bot import ids


def read_values(view: dict[str, Any]) -> dict[str, str | None]:
    """{block_id: the entered value as text} for every input of the view, whatever its kind."""
    values: dict[str, str | None] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        element = actions.get(ids.FIELD_ACTION) or next(iter(actions.values()), {})
        values[block_id] = _value_of(element)
    return values


def _value_of(element: dict[str, Any]) -> str | None:
    kind = element.get("type")
    if kind in ("plain_text_input", "number_input", "email_text_input", "url_text_input"):
        return element.get("value")
    if kind == "users_select":
        return element.get("selected_user")
    if kind == "conversations_select":
        return element.get("selected_conversation")
    if kind == "channels_select":
        return element.get("selected_channel")
    if kind == "datepicker":
        return element.get("selected_date")
    if kind in ("static_select", "external_select", "radio_buttons"):
        option = element.get("selected_option") or {}
        return option.get("value")
    return element.get("value")
