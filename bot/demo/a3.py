"""The demo's A3: after two off-track months the owner writes it, and next month says it worked.

Part of the demo's composition root (with `bot.demo.year`). Every step is a signed request to
the real app: **Write the A3** on the bot's DM, the modal (refused once, inline, for a due date
in the past), the DM updated in place, and August's prompt asking whether it worked.
"""

from __future__ import annotations

from bot import ids
from bot.demo.state import DemoYear, current
from bot.demo.transcript import render_message
from bot.standin import StoredMessage

# What Oskar Lindqvist writes about AN8.1.1 after July (see `bot.demo.story.SCRIPT`).
A3_TEXT = {
    ids.FIELD_PROBLEM: (
        "The payments suite takes 26 minutes against a plan of 21 (29 against 23 in June): "
        "every merge waits for it and the deploy trains slip (AN8.1)."
    ),
    ids.FIELD_ROOT_CAUSE: (
        "Why slow? The shards wait. Why? They share one Postgres fixture. Why still slow with "
        "template databases? Each shard loads the ledger fixtures row by row, 11 minutes each."
    ),
    ids.FIELD_COUNTERMEASURE: (
        "Load the ledger fixtures once into the template database and snapshot it; every shard "
        "clones the snapshot. A CI check fails any new test slower than 30 s."
    ),
    ids.FIELD_A3_OWNER: "U0MIAH21",  # Mia Hoffmann pairs with Oskar on it
    ids.FIELD_DUE: "2027-08-13",
}
PAST_DUE = "2027-07-09"  # typed first: a day already gone, refused in the modal
WORKED = "Yes"  # August: the suite is back under plan


def a3_dm(year: DemoYear, owner: str) -> StoredMessage | None:
    """The bot's DM asking `owner` for an A3, as it now stands."""
    for message in year.ui.dms(owner):
        if ids.ACTION_A3_OPEN in year.ui.buttons(message):
            return message
    return None


def write_a3(year: DemoYear, owner: str) -> None:
    """The owner clicks Write the A3, mistypes the due date once, then submits it."""
    t, ui = year.t, year.ui
    dm = a3_dm(year, owner)
    if dm is None:
        return
    modal = ui.click_modal(owner, dm, ids.ACTION_A3_OPEN, ids.VIEW_A3)
    who = year.name(owner)
    doer = year.name(A3_TEXT[ids.FIELD_A3_OWNER])
    t.note(
        f"**{who}** clicks **Write the A3**. The modal (*{modal['title']['text']}*) starts from "
        "July's countermeasure; he writes the problem, the root cause (five whys, shortened), "
        f"the countermeasure, {doer} as its owner, and a due date of {PAST_DUE}:"
    )
    refused = ui.submit(owner, modal, {**A3_TEXT, ids.FIELD_DUE: PAST_DUE})
    errors = (refused.json() or {}).get("errors") or {}
    if not errors:
        raise RuntimeError("the A3 modal took a due date in the past")
    t.lines += [f"> ⚠️ *{label}:* {text}" for label, text in _labelled(modal, errors)] + [""]
    t.note(
        f"The modal stays open with the message under the field. He sets the due date to "
        f"{A3_TEXT[ids.FIELD_DUE]} and submits again; the modal closes."
    )
    accepted = ui.submit(owner, modal, A3_TEXT)
    if accepted.body and "errors" in accepted.body:
        raise RuntimeError(f"the A3 was refused: {accepted.body[:300]}")
    ui.standin.wait_for(lambda s: current(s, dm).edited_count > dm.edited_count, ui.timeout)
    t.message(current(ui.standin, dm), "*The DM that asked for it, updated in place:*")


def _labelled(modal: dict, errors: dict[str, str]) -> list[tuple[str, str]]:
    labels = {
        b.get("block_id"): (b.get("label") or {}).get("text", "") for b in modal.get("blocks", [])
    }
    return [(labels.get(block, block), text) for block, text in errors.items()]


def answer_worked(year: DemoYear, owner: str, prompt: StoredMessage) -> None:
    """Next month's prompt asks whether the countermeasure worked; the owner picks `WORKED`."""
    t, ui = year.t, year.ui
    t.message(prompt, f"*Hoshin Bot → DM to {year.name(owner)}, the August prompt:*")
    delivery = ui.choose(owner, prompt, ids.ACTION_A3_WORKED, WORKED)
    url = delivery.response_url
    if not ui.standin.wait_for(lambda s: s.response_posts(url), ui.timeout):
        raise RuntimeError("no answer to the A3's did-it-work select")
    t.note(
        f"**{year.name(owner)}** picks **{WORKED}** under *Did it work?*, then checks in "
        "(18 minutes, on track). Only he sees the answer:"
    )
    t.lines += [render_message(ui.standin.response_posts(url)[0], t.names), ""]
