"""What a person would read in a payload: every text object's text, in order."""

from __future__ import annotations

from typing import Any


def visible_text(node: Any) -> str:
    """The texts of every mrkdwn/plain_text object in blocks, a view or a message dict."""
    out: list[str] = []

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            if item.get("type") in ("mrkdwn", "plain_text") and "text" in item:
                out.append(item["text"])
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(node)
    return "\n".join(out)
