"""True North (Hoshin step 1): showing the vision and values, and admins changing them."""

from __future__ import annotations

from sqlalchemy import Engine

from bot import forms, ids
from bot.blocks.common import Message
from bot.forms import Form, required_text
from bot.objectives.vision_blocks import vision_message, vision_modal
from bot.scope import load_scope
from storage import audit
from storage.db import session_scope

EDIT_VISION = "edit the vision and values"


def show_vision(engine: Engine, *, team_id: str, user_id: str) -> Message:
    """`/hoshin vision`: anyone may read it; admins also get the Edit button."""
    with session_scope(engine) as session:
        scope = load_scope(session, team_id=team_id, user_id=user_id)
        workspace = scope.workspace
        return vision_message(
            workspace.vision, list(workspace.values or []), can_edit=scope.is_admin
        )


def vision_editor(engine: Engine, *, team_id: str, user_id: str) -> dict:
    """The edit modal, prefilled; NotAllowed for anyone but an admin (checked in the database)."""
    with session_scope(engine) as session:
        scope = load_scope(session, team_id=team_id, user_id=user_id)
        scope.require_admin(session, EDIT_VISION)
        return vision_modal(scope.workspace.vision, list(scope.workspace.values or []))


def read_vision_form(values: dict[str, str | None]) -> tuple[str, list[str]]:
    """The vision and the list of values, or FormErrors naming each field that is wrong."""
    form = Form(values)
    vision = form.take(required_text, ids.FIELD_VISION, what="the vision", limit=forms.VISION_LIMIT)
    lines = [line.strip(" \t•-*") for line in (values.get(ids.FIELD_VALUES) or "").splitlines()]
    parsed: list[str] = []
    for line in lines:
        if line and line.casefold() not in {v.casefold() for v in parsed}:
            parsed.append(line)
    too_long = next((v for v in parsed if len(v) > forms.VALUE_LIMIT), None)
    if too_long is not None:
        form.fail(
            ids.FIELD_VALUES,
            f"Keep each value under {forms.VALUE_LIMIT} characters; “{too_long[:40]}…” has "
            f"{len(too_long)}.",
        )
    elif len(parsed) > forms.VALUES_MAX:
        form.fail(
            ids.FIELD_VALUES, f"Name at most {forms.VALUES_MAX} values (this has {len(parsed)})."
        )
    form.raise_errors()
    return vision, parsed


def save_vision(
    engine: Engine, *, team_id: str, user_id: str, values: dict[str, str | None]
) -> bool:
    """Store what an admin submitted; audited with before and after. False when nothing changed.

    The admin check runs again here: a modal opened by an admin may be submitted after they
    lost the role, and a submission can be forged by anyone who saw the view.
    """
    with session_scope(engine) as session:
        scope = load_scope(session, team_id=team_id, user_id=user_id)
        scope.require_admin(session, EDIT_VISION)
        vision, value_list = read_vision_form(values)
        workspace = scope.workspace
        before = {"vision": workspace.vision, "values": list(workspace.values or [])}
        after = {"vision": vision, "values": value_list}
        if before == after:
            return False
        workspace.vision = vision
        workspace.values = value_list
        session.add(workspace)
        audit.record(
            session,
            workspace_id=workspace.id,
            actor=user_id,
            action="vision.update",
            entity="workspace",
            entity_id=workspace.id,
            before=before,
            after=after,
        )
        return True
