"""Block Kit checks that refuse what Slack refuses: pure functions, usable without HTTP.

Reasons read like Slack's own: "must be less than 3001 characters [json-pointer:/blocks/0/text/text]".
"""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
VIEW_MAX_BYTES = 250 * 1024
MESSAGE_TEXT_MAX = 40_000
# Undocumented; reports put Slack's cut-off at 12-13k characters of summed block text.
MESSAGE_BLOCKS_TEXT_MAX = 12_000

ID_MAX = 255
TEXT_TYPES = ("plain_text", "mrkdwn")
PLAIN = ("plain_text",)
SELECTS_WITH_OPTIONS = {"static_select", "multi_static_select"}


def validate_message_blocks(blocks: Any) -> list[str]:
    """Reasons Slack would refuse these message blocks; an empty list means they are fine."""
    return message_blocks_problem(blocks)[1]


def validate_view(view: Any, *, expected_type: str | None = None) -> list[str]:
    """Reasons Slack would refuse this modal or Home tab view; empty means fine."""
    return view_problem(view, expected_type=expected_type)[1]


def message_blocks_problem(blocks: Any) -> tuple[str | None, list[str]]:
    """(Slack error code, reasons) for message blocks, or (None, []) when Slack would accept them."""
    if blocks is None:
        return None, []
    if not isinstance(blocks, list):
        return "invalid_blocks_format", ["blocks must be a JSON array [json-pointer:/blocks]"]
    errs: list[str] = []
    _check_blocks(blocks, "/blocks", "message", MESSAGE_MAX_BLOCKS, errs)
    if errs:
        return "invalid_blocks", errs
    total = visible_text_length(blocks)
    if total > MESSAGE_BLOCKS_TEXT_MAX:
        reason = f"summed block text is {total} characters, over {MESSAGE_BLOCKS_TEXT_MAX}"
        return "msg_blocks_too_long", [reason]
    return None, []


def view_problem(view: Any, *, expected_type: str | None = None) -> tuple[str | None, list[str]]:
    """(Slack error code, reasons) for a view; Slack answers views.* with invalid_arguments."""
    if not isinstance(view, dict):
        return "invalid_arguments", ["view must be a JSON object [json-pointer:/view]"]
    size = len(json.dumps(view, separators=(",", ":")).encode())
    if size > VIEW_MAX_BYTES:
        return "view_too_large", [f"view is {size} bytes, over {VIEW_MAX_BYTES}"]
    errs: list[str] = []
    vtype = view.get("type")
    if vtype not in ("modal", "home"):
        errs.append("must be one of modal, home [json-pointer:/view/type]")
    elif expected_type and vtype != expected_type:
        errs.append(f"must be {expected_type} here [json-pointer:/view/type]")
    if vtype == "modal":
        if "title" not in view:
            errs.append("title is required [json-pointer:/view/title]")
        for key in ("title", "submit", "close"):
            if key in view:
                _text(view[key], f"/view/{key}", 24, PLAIN, errs)
    for key, limit in (
        ("private_metadata", 3000),
        ("callback_id", ID_MAX),
        ("external_id", ID_MAX),
    ):
        value = view.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            errs.append(
                f"must be a string of at most {limit} characters [json-pointer:/view/{key}]"
            )
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        errs.append("blocks must be a JSON array [json-pointer:/view/blocks]")
    else:
        _check_blocks(blocks, "/view/blocks", vtype or "modal", VIEW_MAX_BLOCKS, errs)
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
        if vtype == "modal" and has_input and "submit" not in view:
            errs.append("submit is required when a modal has input blocks [json-pointer:/view]")
    return ("invalid_arguments", errs) if errs else (None, [])


def visible_text_length(node: Any) -> int:
    """Characters of every `text` string in the tree: what Slack sums for msg_blocks_too_long."""
    if isinstance(node, list):
        return sum(visible_text_length(n) for n in node)
    if isinstance(node, dict):
        total = 0
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                total += len(value)
            else:
                total += visible_text_length(value)
        return total
    return 0


def _check_blocks(blocks: list, ptr: str, surface: str, max_blocks: int, errs: list[str]) -> None:
    if len(blocks) > max_blocks:
        errs.append(f"no more than {max_blocks} items allowed [json-pointer:{ptr}]")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        p = f"{ptr}/{i}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            errs.append(f"must be an object with a type [json-pointer:{p}]")
            continue
        btype = block["type"]
        try:
            parsed = Block.parse(block)
            if parsed is None:
                errs.append(f"unknown block type {btype!r} [json-pointer:{p}/type]")
                continue
            parsed.to_dict()
        except SlackObjectFormationError as e:
            errs.append(f"{e} [json-pointer:{p}]")
        except Exception as e:  # malformed shapes make slack_sdk's models raise anything
            errs.append(f"malformed {btype} block ({type(e).__name__}: {e}) [json-pointer:{p}]")
        block_id = block.get("block_id")
        if block_id is not None:
            if not isinstance(block_id, str) or not 0 < len(block_id) <= ID_MAX:
                errs.append(f"must be 1 to {ID_MAX} characters [json-pointer:{p}/block_id]")
            elif block_id in block_ids:
                errs.append(f"duplicate block_id {block_id!r} [json-pointer:{p}/block_id]")
            else:
                block_ids.add(block_id)
        if btype == "input" and surface == "home":
            errs.append(f"input blocks are only allowed in modals [json-pointer:{p}]")
        checker = _BLOCK_CHECKS.get(btype)
        if checker:
            checker(block, p, errs)


def _section(block: dict, p: str, errs: list[str]) -> None:
    if "text" not in block and "fields" not in block:
        errs.append(f"section needs text or fields [json-pointer:{p}]")
    if "text" in block:
        _text(block["text"], f"{p}/text", 3000, TEXT_TYPES, errs)
    if "fields" in block:
        fields = block["fields"]
        if not isinstance(fields, list) or not 0 < len(fields) <= 10:
            errs.append(f"must be an array of 1 to 10 items [json-pointer:{p}/fields]")
        else:
            for j, f in enumerate(fields):
                _text(f, f"{p}/fields/{j}", 2000, TEXT_TYPES, errs)
    if "accessory" in block:
        _element(block["accessory"], f"{p}/accessory", set(), errs)


def _header(block: dict, p: str, errs: list[str]) -> None:
    _text(block.get("text"), f"{p}/text", 150, PLAIN, errs)


def _actions(block: dict, p: str, errs: list[str]) -> None:
    elements = block.get("elements")
    if not isinstance(elements, list) or not 0 < len(elements) <= 25:
        errs.append(f"must be an array of 1 to 25 items [json-pointer:{p}/elements]")
        return
    seen: set[str] = set()
    for j, e in enumerate(elements):
        _element(e, f"{p}/elements/{j}", seen, errs)


def _context(block: dict, p: str, errs: list[str]) -> None:
    elements = block.get("elements")
    if not isinstance(elements, list) or not 0 < len(elements) <= 10:
        errs.append(f"must be an array of 1 to 10 items [json-pointer:{p}/elements]")
        return
    for j, e in enumerate(elements):
        if isinstance(e, dict) and e.get("type") == "image":
            _image(e, f"{p}/elements/{j}", errs)
        else:
            _text(e, f"{p}/elements/{j}", 3000, TEXT_TYPES, errs)


def _image(block: dict, p: str, errs: list[str]) -> None:
    if "image_url" not in block and "slack_file" not in block:
        errs.append(f"image_url or slack_file is required [json-pointer:{p}]")
    url = block.get("image_url")
    if url is not None and (not isinstance(url, str) or not 0 < len(url) <= 3000):
        errs.append(f"must be 1 to 3000 characters [json-pointer:{p}/image_url]")
    alt = block.get("alt_text")
    if not isinstance(alt, str) or not 0 < len(alt) <= 2000:
        errs.append(f"alt_text is required, at most 2000 characters [json-pointer:{p}/alt_text]")


def _input(block: dict, p: str, errs: list[str]) -> None:
    _text(block.get("label"), f"{p}/label", 2000, PLAIN, errs)
    if "hint" in block:
        _text(block["hint"], f"{p}/hint", 2000, PLAIN, errs)
    if not isinstance(block.get("element"), dict):
        errs.append(f"element is required [json-pointer:{p}/element]")
    else:
        _element(block["element"], f"{p}/element", set(), errs)


_BLOCK_CHECKS = {
    "section": _section,
    "header": _header,
    "actions": _actions,
    "context": _context,
    "image": _image,
    "input": _input,
}


def _element(e: Any, p: str, action_ids: set[str], errs: list[str]) -> None:
    if not isinstance(e, dict) or not isinstance(e.get("type"), str):
        errs.append(f"must be an object with a type [json-pointer:{p}]")
        return
    etype = e["type"]
    action_id = e.get("action_id")
    if action_id is not None:
        if not isinstance(action_id, str) or not 0 < len(action_id) <= ID_MAX:
            errs.append(f"must be 1 to {ID_MAX} characters [json-pointer:{p}/action_id]")
        elif action_id in action_ids:
            errs.append(f"duplicate action_id {action_id!r} [json-pointer:{p}/action_id]")
        else:
            action_ids.add(action_id)
    if "placeholder" in e:
        _text(e["placeholder"], f"{p}/placeholder", 150, PLAIN, errs)
    if etype == "button":
        _text(e.get("text"), f"{p}/text", 75, PLAIN, errs)
        _max_str(e, "value", 2000, p, errs)
        _max_str(e, "url", 3000, p, errs)
    elif etype == "image":
        _image(e, p, errs)
    elif etype == "plain_text_input":
        _text_input(e, p, errs)
    elif etype in SELECTS_WITH_OPTIONS:
        if "option_groups" in e:
            groups = e["option_groups"]
            if not isinstance(groups, list) or not 0 < len(groups) <= 100:
                errs.append(f"must be an array of 1 to 100 items [json-pointer:{p}/option_groups]")
            else:
                for g, group in enumerate(groups):
                    gp = f"{p}/option_groups/{g}"
                    opts = group.get("options") if isinstance(group, dict) else None
                    _options(opts, f"{gp}/options", 100, PLAIN, errs)
        elif "options" in e or etype == "static_select":
            _options(e.get("options"), f"{p}/options", 100, PLAIN, errs)
    elif etype == "overflow":
        _options(e.get("options"), f"{p}/options", 5, PLAIN, errs)
    elif etype in ("checkboxes", "radio_buttons"):
        _options(e.get("options"), f"{p}/options", 10, TEXT_TYPES, errs)


def _text_input(e: dict, p: str, errs: list[str]) -> None:
    # Slack refuses a prefill longer than the field's own limit: the modal never opens.
    limit = e.get("max_length")
    if limit is not None and (not isinstance(limit, int) or not 0 < limit <= 3000):
        errs.append(f"must be 1 to 3000 [json-pointer:{p}/max_length]")
        limit = None
    value = e.get("initial_value")
    if value is None:
        return
    if not isinstance(value, str) or len(value) > 3000:
        errs.append(f"must be a string of at most 3000 characters [json-pointer:{p}/initial_value]")
    elif limit is not None and len(value) > limit:
        errs.append(
            f"must be no longer than max_length ({limit} characters), is {len(value)} "
            f"[json-pointer:{p}/initial_value]"
        )


def _options(opts: Any, p: str, limit: int, kinds: tuple[str, ...], errs: list[str]) -> None:
    if not isinstance(opts, list) or not 0 < len(opts) <= limit:
        errs.append(f"must be an array of 1 to {limit} items [json-pointer:{p}]")
        return
    for k, opt in enumerate(opts):
        op = f"{p}/{k}"
        if not isinstance(opt, dict):
            errs.append(f"must be an option object [json-pointer:{op}]")
            continue
        _text(opt.get("text"), f"{op}/text", 75, kinds, errs)
        if not isinstance(opt.get("value"), str) or not 0 < len(opt["value"]) <= 150:
            errs.append(f"must be 1 to 150 characters [json-pointer:{op}/value]")
        if "description" in opt:
            _text(opt["description"], f"{op}/description", 75, kinds, errs)


def _text(t: Any, p: str, limit: int, kinds: tuple[str, ...], errs: list[str]) -> None:
    if not isinstance(t, dict):
        errs.append(f"expected a text object [json-pointer:{p}]")
        return
    if t.get("type") not in kinds:
        errs.append(f"must be one of {', '.join(kinds)} [json-pointer:{p}/type]")
    text = t.get("text")
    if not isinstance(text, str) or not text:
        errs.append(f"must be more than 0 characters [json-pointer:{p}/text]")
    elif len(text) > limit:
        errs.append(f"must be less than {limit + 1} characters [json-pointer:{p}/text]")


def _max_str(obj: dict, key: str, limit: int, p: str, errs: list[str]) -> None:
    value = obj.get(key)
    if value is not None and (not isinstance(value, str) or len(value) > limit):
        errs.append(f"must be less than {limit + 1} characters [json-pointer:{p}/{key}]")
