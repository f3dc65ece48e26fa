"""Rendering what reached Slack as a person would read it, for the demo's transcript."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

EMOJI = {
    "large_green_circle": "🟢",
    "large_yellow_circle": "🟡",
    "red_circle": "🔴",
    "white_circle": "⚪",
    "warning": "⚠️",
    "white_check_mark": "✅",
    "ballot_box_with_check": "☑️",
    "no_entry": "⛔",
    "dart": "🎯",
    "bowling": "🎳",
    "clipboard": "📋",
    "calendar": "📅",
    "spiral_calendar_pad": "🗓️",
    "leftwards_arrow_with_hook": "↩️",
    "x": "❌",
    "memo": "📝",
    "hourglass_flowing_sand": "⏳",
    "inbox_tray": "📥",
    "pencil2": "✏️",
    "busts_in_silhouette": "👥",
    "mag": "🔍",
    "arrow_right": "➡️",
    "tada": "🎉",
    "wastebasket": "🗑️",
    "file_folder": "📁",
    "compass": "🧭",
}
USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")
LINK = re.compile(r"<(https?://[^|>]+)(?:\|([^>]*))?>")
DATE = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")  # Slack shows each reader's local time


def mrkdwn(text: str, names: Mapping[str, str]) -> str:
    """Slack mrkdwn to Markdown: mentions by name, emoji as characters, *bold* as **bold**."""
    text = USER.sub(lambda m: "@" + names.get(m.group(1), m.group(2) or m.group(1)), text)
    text = CHANNEL.sub(lambda m: "#" + names.get(m.group(1), m.group(2) or m.group(1)), text)
    text = DATE.sub(lambda m: m.group(1), text)
    text = LINK.sub(lambda m: f"[{m.group(2) or m.group(1)}]({m.group(1)})", text)
    text = re.sub(r":([a-z0-9_+-]+):", lambda m: EMOJI.get(m.group(1), m.group(0)), text)
    text = re.sub(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])", r"**\1**", text)
    return html.unescape(text)


def render_blocks(blocks: list[dict], names: Mapping[str, str]) -> list[str]:
    lines: list[str] = []

    def text_of(obj: dict | None) -> str:
        if not obj:
            return ""
        return mrkdwn(obj.get("text", ""), names)

    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"**{text_of(block.get('text'))}**")
        elif kind == "section":
            if block.get("text"):
                lines.extend(text_of(block["text"]).splitlines())
            for field in block.get("fields", []):
                lines.append(text_of(field).replace("\n", ": ", 1))
            accessory = block.get("accessory")
            if accessory and accessory.get("type") == "button":
                lines.append(f"[ {text_of(accessory.get('text'))} ]")
        elif kind == "context":
            parts = [text_of(e) for e in block.get("elements", []) if e.get("type") != "image"]
            lines.append("_" + " ".join(parts) + "_")
        elif kind == "divider":
            lines.append("───")
        elif kind == "actions":
            buttons = [
                f"[ {text_of(e.get('text'))} ]" for e in block.get("elements", []) if "text" in e
            ]
            lines.append("  ".join(buttons))
        elif kind == "image":
            lines.append(f"(image: {block.get('alt_text', '')})")
        elif kind == "input":
            lines.append(f"{text_of(block.get('label'))}: ______")
    return lines


def render_message(payload: Mapping, names: Mapping[str, str]) -> str:
    """A posted payload as a block of Markdown quote lines."""
    blocks = payload.get("blocks")
    lines = (
        render_blocks(blocks, names)
        if blocks
        else mrkdwn(payload.get("text", ""), names).splitlines()
    )
    return "\n".join(f"> {line}" if line else ">" for line in lines)
