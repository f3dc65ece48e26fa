"""The demo's hansei week: the year-end reflection DMs, the answers, a reminder, the late one.

Part of the demo's composition root (with `bot.demo.year`). The `hansei-prompts` job queued the
DMs when December's clock reached their due time (three weeks before the year ends); here the
owners answer through signed requests to the real app: **Reflect** on the DM, the modal, the
submission. A few are told click by click; the rest submit the same modal (each its own view,
as Slack gives every opened modal its own id). One owner is late, gets the `reminders` job's
reminder, and answers from it. What is written goes to the transcript after the year.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot import ids
from bot.ask.timing import workspace_zone
from bot.context import HanseiRef
from bot.demo import hansei_story as story
from bot.demo.state import DemoYear, current, dms_since, latest_actuals, tick
from bot.demo.story import YEAR
from bot.hansei.prompts import hansei_due_at
from bot.standin import StoredMessage
from storage import status as reads
from storage.db import session_scope
from storage.models import Workspace

DM_TEXT = "Year-end reflection for FY"
REMINDER_TEXT = "Reminder: your year-end reflection"
LABELS = (
    (ids.FIELD_WENT_WELL, "Went well"),
    (ids.FIELD_WENT_BADLY, "Did not go well"),
    (ids.FIELD_ROOT_CAUSES, "Why"),
    (ids.FIELD_LEARNED, "Learned"),
    (ids.FIELD_CARRY_OVER, "Carries into next year"),
)


def hansei_dm(year: DemoYear, user: str) -> StoredMessage | None:
    found = [m for m in year.ui.dms(user) if m.text.startswith(DM_TEXT)]
    return found[-1] if found else None


def reflect_buttons(message: StoredMessage) -> list[dict]:
    """The message's Reflect buttons (section accessories), in the order shown."""
    return [
        b["accessory"]
        for b in message.blocks or []
        if (b.get("accessory") or {}).get("action_id") == ids.ACTION_HANSEI_OPEN
    ]


def answer_of(objective: reads.ObjectiveRow, hit: bool) -> dict[str, str]:
    written = story.ANSWERS.get(objective.ref) or story.plain_answer(
        objective.ref, objective.title, hit
    )
    return {
        ids.FIELD_WENT_WELL: written.went_well,
        ids.FIELD_WENT_BADLY: written.went_badly,
        ids.FIELD_ROOT_CAUSES: written.root_causes,
        ids.FIELD_LEARNED: written.learned,
        ids.FIELD_CARRY_OVER: written.carry_over,
    }


def hansei_week(year: DemoYear) -> None:
    """From the hansei DMs (already out) to every owner's answer; narrated into
    `year.yearend_lines`, which the demo writes after the year."""
    t = year.t
    kept, t.lines = t.lines, []
    try:
        _play(year)
    finally:
        year.yearend_lines, t.lines = t.lines, kept


def _play(year: DemoYear) -> None:
    t, ui = year.t, year.ui
    tick(year)  # the `hansei-prompts` job, should it not have run yet
    owners = [u for u in year.people if hansei_dm(year, u) is not None]
    if not owners:
        raise RuntimeError("the hansei prompts did not go out in December")
    with_dm = len(owners)
    asked = sum(len(reflect_buttons(hansei_dm(year, u))) for u in owners)
    with session_scope(year.jobs.engine) as session:
        workspace = session.get(Workspace, year.workspace_id)
        due = hansei_due_at(workspace, YEAR)
        zone = workspace_zone(workspace)
    local = due.astimezone(ZoneInfo(zone))
    t.note(
        f"The year-end reflection falls due three weeks before the year ends, on "
        f"{local:%A %d %B %Y} at {local:%H:%M} ({zone}); the `hansei-prompts` job queued it "
        f"at its first run after that: **{with_dm} owners**, one DM each with a **Reflect** "
        f"button per objective ({asked} annual and cascaded objectives; the breakthroughs are "
        "looked back on in the annual reflection itself)."
    )
    first = story.SHOWN[0]
    t.message(hansei_dm(year, first), f"*Hoshin Bot → DM to {year.name(first)}:*")

    year.clock.set(year.clock.now() + timedelta(hours=1))
    hits = _hits(year)
    for user in story.SHOWN:
        _reflect_shown(year, user, hits, mistake=user == first)
    rest = [u for u in owners if u not in story.SHOWN and u != story.LATE]
    submitted = sum(_reflect_quietly(year, u, hits) for u in rest)
    tick(year, jobs=False)
    t.note(
        f"The other owners answer the same way over the next two days ({submitted} more "
        f"reflections through the modal); each DM is updated in place as they go."
    )

    # Three days after the DM: the `reminders` job reminds whoever has not answered.
    year.clock.set(year.clock.now() + timedelta(days=2, hours=1))
    mark = len(ui.standin.calls)
    tick(year)
    reminded = sorted(dms_since(year, mark, REMINDER_TEXT))
    if reminded:
        late = reminded[0]
        reminder = [m for m in ui.dms(late) if m.text.startswith(REMINDER_TEXT)][-1]
        t.message(reminder, f"*Hoshin Bot → DM to {year.names(reminded)}, three days later:*")
        year.clock.set(year.clock.now() + timedelta(hours=20))
        count = _reflect_quietly(year, late, hits, message=reminder, click=True)
        tick(year, jobs=False)
        t.note(
            f"**{year.name(late)}** clicks **Reflect** on the reminder the next morning and "
            f"answers ({count} objective(s)). Every owner has now reflected on every objective."
        )
    year.reminded_hansei = reminded


def _hits(year: DemoYear) -> dict[int, bool]:
    """{objective id: whether its latest actual meets the target} for the plain answers."""
    actuals = latest_actuals(year)
    hit = {}
    for objective in year.objectives:
        actual = actuals.get(objective.id)
        target = objective.target
        hit[objective.id] = (
            actual is not None
            and target is not None
            and (actual >= target if objective.higher_is_better else actual <= target)
        )
    return hit


def _objective(year: DemoYear, button: dict) -> reads.ObjectiveRow:
    ref = HanseiRef.parse(button["value"])
    return next(o for o in year.objectives if o.id == ref.objective_id)


def _open(year: DemoYear, user: str, message: StoredMessage, button: dict) -> dict:
    ui = year.ui
    before = len(ui.modals(ids.VIEW_HANSEI))
    ui.sender.block_action(
        user_id=user,
        action_id=ids.ACTION_HANSEI_OPEN,
        value=button["value"],
        channel_id=message.channel,
        message_ts=message.ts,
    )
    return ui.next_modal(ids.VIEW_HANSEI, before)


def _submit(year: DemoYear, user: str, modal: dict, values: dict) -> dict:
    delivery = year.ui.submit(user, modal, values)
    return delivery.json() if delivery.body else {}


def _reflect_shown(year: DemoYear, user: str, hits, *, mistake: bool) -> None:
    """Every objective of `user`'s DM through Reflect and the modal, told in the transcript."""
    t, ui = year.t, year.ui
    dm = hansei_dm(year, user)
    for button in reflect_buttons(dm):
        objective = _objective(year, button)
        modal = _open(year, user, dm, button)
        year.hansei_modal = year.hansei_modal or modal
        values = answer_of(objective, hits.get(objective.id, False))
        t.note(f"**{year.name(user)}** clicks **Reflect** on **{objective.ref}** and writes:")
        t.lines += [f"> **{label}:** {values[field]}" for field, label in LABELS] + [""]
        if mistake:
            refused = _submit(year, user, modal, {**values, ids.FIELD_WENT_BADLY: " "})
            errors = refused.get("errors") or {}
            if not errors:
                raise RuntimeError("the hansei modal took an empty 'what did not go well'")
            t.note(
                "Submitted first with *What did not go well* left empty, the modal stays open "
                f"and says under the field: ⚠️ “{next(iter(errors.values()))}” Filled in and "
                "submitted again, the modal closes."
            )
            mistake = False
        answer = _submit(year, user, modal, values)
        if answer.get("errors"):
            raise RuntimeError(f"{objective.ref}'s hansei refused: {answer}")
    tick(year, jobs=False)
    ui.standin.wait_for(lambda s: current(s, dm).edited_count > dm.edited_count, ui.timeout)
    if user == story.SHOWN[0]:
        t.message(current(ui.standin, dm), f"*{year.name(user)}'s DM, updated in place:*")


def _reflect_quietly(year: DemoYear, user: str, hits, *, message=None, click=False) -> int:
    """Submit `user`'s reflections without clicking each Reflect: Slack's submission is the same
    whichever button opened the modal (its blocks, its private_metadata, a view id of its own);
    the click is played in full (`click`) for the owners the transcript shows."""
    message = message or hansei_dm(year, user)
    count = 0
    for button in reflect_buttons(message):
        objective = _objective(year, button)
        if click or year.hansei_modal is None:
            modal = _open(year, user, message, button)
            year.hansei_modal = year.hansei_modal or modal
        else:
            modal = {
                **year.hansei_modal,
                "id": f"VDEMOHANSEI{objective.id}",
                "private_metadata": button["value"],
            }
        answer = _submit(year, user, modal, answer_of(objective, hits.get(objective.id, False)))
        if answer.get("errors"):
            raise RuntimeError(f"{objective.ref}'s hansei refused: {answer}")
        count += 1
    return count
