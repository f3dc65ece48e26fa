"""What a person would read in a payload: every text object's text, in order."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


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


# ---- hostile text, for property tests of everything that shows user text ----------------------

# What a hostile or careless person types: Slack's control characters, text that already looks
# escaped, and every kind of markup Slack would make live (mentions, broadcasts, disguised links).
HOSTILE_ATOMS = (
    "<",
    ">",
    "&",
    "&lt;",
    "&gt;",
    "&amp;",
    "&#60;",
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S1>",
    "<@U123>",
    "<#C123>",
    "<http://evil.example/sso|re-login here>",
    "<https://x.example>",
    "<mailto:a@b.example|mail>",
    "<!date^1392734382^{date}|x>",
    "*",
    "_",
    "`",
    "~",
    " ",
    "\n",
    "é",
    "💥",
)
# Markup that only user text could have brought: the bot itself never writes these.
FORBIDDEN_MARKUP = (
    "<!channel",
    "<!here",
    "<!everyone",
    "<!subteam",
    "<@U123",
    "<#C123",
    "<http://evil",
    "<https://x.example",
    "<mailto:",
    "<!date^1392734382",
)


def hostile_text(max_size: int = 3000, *, min_size: int = 0) -> st.SearchStrategy[str]:
    """Text of hostile atoms, short, or filled with them up to the field's maximum length."""
    atom = st.sampled_from(HOSTILE_ATOMS) | st.text(max_size=4)
    mixed = st.lists(atom, max_size=12).map("".join)
    filled = mixed.filter(bool).map(lambda s: (s * (max_size // len(s) + 1))[:max_size])
    return (mixed.map(lambda s: s[:max_size]) | filled).filter(lambda s: len(s) >= min_size)


def user_markup(text: str) -> list[str]:
    """The pieces of live markup that came from user text, found in a payload's text."""
    return [m for m in FORBIDDEN_MARKUP if m in text]


def mrkdwn_text(node: Any) -> str:
    """The texts Slack parses for markup: mrkdwn objects and a message's `text` fallback.

    plain_text (headers, buttons, options, labels) is shown as typed, so it is left out."""
    out: list[str] = []

    def walk(item: Any, top: bool) -> None:
        if isinstance(item, dict):
            if top and isinstance(item.get("text"), str):
                out.append(item["text"])
            if item.get("type") == "mrkdwn" and "text" in item:
                out.append(item["text"])
            for value in item.values():
                walk(value, False)
        elif isinstance(item, list):
            for value in item:
                walk(value, False)

    walk(node, True)
    return "\n".join(out)
