"""What the demo's cast does in Slack: check in from the prompt, reply in words, go away.

Every step is a signed request to the real app (`bot.standin.slack_side`); the story is `bot.demo.story`.
"""

from __future__ import annotations

from datetime import date

from bot import ids
from bot.context import CheckInRef
from bot.demo import story
from bot.demo.state import DemoYear, MonthResult, current, manager_of, tick
from bot.demo.transcript import render_message
from bot.standin import StoredMessage
from bot.standin.slack_side import SlackSide
from storage import status as reads

# ---- what the cast does -----------------------------------------------------------------------


def prompt_of(year: DemoYear, user: str, period: str) -> StoredMessage | None:
    """The owner's check-in prompt DM for `period`, as it now stands."""
    for message in reversed(year.ui.dms(user)):
        refs = _checkin_refs(message)
        if refs and next(iter(refs.values())).period == period:
            return message
    return None


def _checkin_refs(message: StoredMessage) -> dict[int, CheckInRef]:
    """{objective id: ref} of the message's Check in buttons."""
    found = {}
    for block in message.blocks or []:
        elements = [block["accessory"]] if block.get("accessory") else block.get("elements") or []
        for element in elements:
            if element.get("action_id") == ids.ACTION_CHECKIN_OPEN:
                ref = CheckInRef.parse(element["value"])
                found[ref.objective_id] = ref
    return found


def check_in_all(year: DemoYear, user: str, period: str, result: MonthResult) -> None:
    """The owner clicks Check in for each objective of their prompt and submits the modal."""
    prompt = prompt_of(year, user, period)
    if prompt is None:
        return
    objectives = {o.id: o for o in year.objectives}
    for objective_id, ref in _checkin_refs(prompt).items():
        objective = objectives[objective_id]
        reply = story.answer(_metric(objective), period)
        if year.modal is None or story.told(user, objective.ref, period):
            modal = open_checkin(year.ui, user, prompt, ref)
            year.modal = year.modal or modal
        else:
            # The rest of the cast skips the click that opens the modal: Slack's submission is
            # the same whichever Check in opened it (the view's blocks, its private_metadata,
            # a view id of its own), and the click is played in full for every owner whose
            # answer the story tells. It keeps the demo's year well under a minute.
            modal = {
                **year.modal,
                "id": f"VDEMO{period.replace('-', '')}N{objective_id}",
                "private_metadata": ref.dump(),
            }
        delivery = year.ui.submit(
            user,
            modal,
            {
                ids.FIELD_ACTUAL: reply.actual_text(),
                ids.FIELD_STATUS: reply.status,
                ids.FIELD_WHAT_HAPPENED: reply.what_happened,
                ids.FIELD_CHALLENGES: reply.challenges,
                ids.FIELD_COUNTERMEASURE: reply.countermeasure,
            },
        )
        if delivery.body and "errors" in delivery.body:
            raise RuntimeError(f"{objective.ref} {period} refused: {delivery.body[:300]}")
        _narrate_check_in(year, user, period, objective, reply, prompt)
    result.checked_in.append(user)
    if story.answer_time_day(period, user) > 1:
        result.late.append(user)


def open_checkin(ui: SlackSide, user: str, prompt: StoredMessage, ref: CheckInRef) -> dict:
    """Click the prompt's Check in button for `ref` and return the modal it opens."""
    before = len(ui.modals(ids.VIEW_CHECKIN))
    ui.sender.block_action(
        user_id=user,
        action_id=ids.ACTION_CHECKIN_OPEN,
        value=ref.dump(),
        channel_id=prompt.channel,
        message_ts=prompt.ts,
    )
    return ui.next_modal(ids.VIEW_CHECKIN, before)


def _metric(objective: reads.ObjectiveRow) -> story.Metric:
    plan = tuple(objective.monthly_plan or [objective.target or 0.0] * 12)
    return story.Metric(
        objective.ref,
        objective.baseline if objective.baseline is not None else plan[0],
        objective.target if objective.target is not None else plan[-1],
        plan,
        objective.higher_is_better,
        objective.metric_unit,
    )


def _narrate_check_in(year, user, period, objective, reply, prompt) -> None:
    t = year.t
    if period == "2027-04" and objective.ref == "AN7.1.2":
        t.message(prompt, f"*Hoshin Bot → DM to {year.name(user)}, the April prompt:*")
        t.note(
            f"**{year.name(user)}** clicks **Check in** on {objective.ref}: actual "
            f"{reply.actual_text()} {objective.metric_unit or ''}, *at risk*, with what happened, "
            "the challenge and a countermeasure."
        )
    elif (objective.ref, period) in story.SCRIPT and reply.status != "on_track":
        t.note(
            f"**{year.name(user)}** checks in on **{objective.ref}**: {reply.actual_text()} "
            f"{objective.metric_unit or ''}, *{reply.status.replace('_', ' ')}*. "
            f"Countermeasure: “{reply.countermeasure}”"
        )


def reply_in_words(year: DemoYear, user: str, period: str, words: str, result) -> None:
    prompt = prompt_of(year, user, period)
    if prompt is None:
        return
    before = len(year.ui.dms(user))
    year.ui.sender.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": prompt.channel,
            "user": user,
            "text": words,
            "ts": f"{year.clock.now().timestamp():.6f}",
        },
        event_id=f"Ev{period.replace('-', '')}{user}",
    )
    year.ui.standin.wait_for(lambda s: len(year.ui.dms(user)) > before, year.ui.timeout)
    result.replied_in_words.append(user)
    year.t.note(f"**{year.name(user)}** answers the prompt in words: “{words}”")
    year.t.message(year.ui.dms(user)[-1], "*Hoshin Bot → DM:*")


def go_away(year: DemoYear, user: str, until: date) -> None:
    t, ui = year.t, year.ui
    delivery = ui.sender.slash_command(
        user_id=user, text=f"away until {until:%Y-%m-%d}", channel_id="D" + user[1:]
    )
    url = delivery.response_url
    ui.standin.wait_for(lambda s: s.response_posts(url), ui.timeout)
    t.note(f"**{year.name(user)}** types `/hoshin away until {until:%Y-%m-%d}`:")
    t.lines += [render_message(ui.standin.response_posts(url)[0], t.names), ""]
    tick(year)
    manager = manager_of(year, user)
    if manager:
        t.message(ui.dms(manager)[-1], f"*Hoshin Bot → DM to {year.name(manager)}:*")


def action_done(year: DemoYear) -> None:
    """Jan Novak marks the action under AN7.1.2 done, from the card the bot sent in January."""
    jan = "U0JANN18"
    cards = [m for m in year.ui.dms(jan) if "legacy services" in m.text]
    if not cards:
        return
    card = cards[-1]
    year.ui.click(jan, card, ids.ACTION_ACTION_DONE)
    year.ui.standin.wait_for(
        lambda s: current(s, card).edited_count > card.edited_count, year.ui.timeout
    )
    year.t.message(
        current(year.ui.standin, card),
        f"**{year.name(jan)}** moves the two legacy services and clicks **Done** on the "
        "action card:",
    )
