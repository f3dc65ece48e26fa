"""Rendering what reached Slack as a person would read it, for the demo's transcript."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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
    "bell": "🔔",
    "hourglass": "⌛",
    "palm_tree": "🌴",
    "speech_balloon": "💬",
    "rotating_light": "🚨",
    "seedling": "🌱",
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
            elif accessory and accessory.get("type") == "static_select":
                options = [text_of(o.get("text")) for o in accessory.get("options", [])]
                lines.append(f"[ {' / '.join(options)} ▾ ]")
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


@dataclass
class Transcript:
    """The demo's transcript as it is written: headings, notes and messages as people see them."""

    names: dict[str, str]
    lines: list[str] = field(default_factory=list)

    def heading(self, text: str, *, level: int = 2) -> None:
        self.lines += ["", f"{'#' * level} {text}", ""]

    def note(self, text: str) -> None:
        self.lines += [text, ""]

    def said(self, who: str, what: str, where: str, payload: Mapping) -> None:
        visibility = (
            "only visible to " + self.names.get(who, who)
            if payload.get("response_type", "ephemeral") == "ephemeral"
            else "posted in the channel"
        )
        self.lines += [
            f"**{self.names.get(who, who)}** {what} in #{where}:",
            "",
            f"*Hoshin Bot ({visibility}):*",
            "",
            render_message(payload, self.names),
            "",
        ]

    def message(self, message: Any, caption: str | None = None) -> None:
        """A stored message (the stand-in's), under an optional caption line."""
        if caption:
            self.lines += [caption, ""]
        self.lines += [render_message({"text": message.text, "blocks": message.blocks}, self.names)]
        self.lines.append("")
