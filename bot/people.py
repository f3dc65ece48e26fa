"""Who may own an objective: a person of the workspace whom Slack knows and can reach."""

from __future__ import annotations

import logging
import re

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.errors import InvalidInput
from storage.models import Person
from storage.workspaces import find_person

log = logging.getLogger(__name__)


# A member id as Slack writes it (the plan file's rule too: bot.plan.file.UserId).
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{1,31}$")


def resolve_owner(
    session: Session, client: WebClient, *, workspace_id: int, slack_user_id: str | None, field: str
) -> Person:
    """The Person for a picked Slack user, added to the plan's people when new.

    Slack is asked about people the plan does not know yet: an unknown, deactivated or bot user
    cannot own an objective. People already in the plan are trusted unless marked unreachable.
    """
    if not slack_user_id:
        raise InvalidInput("Please pick a person.", field=field)
    if not SLACK_USER_ID.match(slack_user_id):  # not from Slack's picker: never sent to a query
        raise InvalidInput("That is not a person in Slack; pick someone.", field=field)
    person = find_person(session, workspace_id=workspace_id, slack_user_id=slack_user_id)
    if person is not None:
        if person.unreachable_reason:
            raise InvalidInput(
                f"{person.name} can't be reached in Slack any more ({person.unreachable_reason}); "
                "pick someone else.",
                field=field,
            )
        return person
    try:
        user = client.users_info(user=slack_user_id, include_locale=True)["user"]
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else "unknown"
        if error in ("user_not_found", "users_not_found"):
            raise InvalidInput("That person is not in this workspace.", field=field) from exc
        log.error("users.info failed: %s", error)
        raise InvalidInput(
            "Slack could not tell who that is right now; try again.", field=field
        ) from exc
    if user.get("deleted"):
        raise InvalidInput(f"{_name(user)} has been deactivated in Slack.", field=field)
    if user.get("is_bot") or user.get("is_app_user"):
        raise InvalidInput("Bots and apps can't own objectives; pick a person.", field=field)
    person = Person(
        workspace_id=workspace_id,
        slack_user_id=slack_user_id,
        name=_name(user),
        timezone=user.get("tz"),
        locale=user.get("locale"),
    )
    session.add(person)
    session.flush()
    return person


def _name(user: dict) -> str:
    profile = user.get("profile") or {}
    return (
        profile.get("real_name")
        or user.get("real_name")
        or profile.get("display_name")
        or user.get("name")
        or user["id"]
    )
