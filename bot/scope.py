"""Who is acting, in which workspace: loaded from the database on every request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from bot.errors import NotAllowed, WorkspaceNotSetUp
from storage.models import Person, Workspace
from storage.workspaces import admin_slack_ids, find_person, find_workspace

NO_PLAN = (
    "This workspace has no Hoshin plan yet. An admin can load one with "
    "`hoshin plan import plan.yaml` (see the README)."
)


@dataclass(frozen=True)
class Scope:
    workspace: Workspace
    person: Person | None  # None: someone the plan does not know yet

    @property
    def is_admin(self) -> bool:
        return bool(self.person and self.person.is_admin)

    def require_admin(self, session: Session, what: str) -> Person:
        if self.person is None or not self.person.is_admin:
            admins = admin_slack_ids(session, workspace_id=self.workspace.id)
            who = ", ".join(f"<@{a}>" for a in admins[:5]) or "an admin"
            raise NotAllowed(f"Only admins can {what}. Ask {who}.")
        return self.person


def load_scope(session: Session, *, team_id: str, user_id: str) -> Scope:
    workspace = find_workspace(session, team_id=team_id)
    if workspace is None:
        raise WorkspaceNotSetUp(NO_PLAN)
    return Scope(workspace, find_person(session, workspace_id=workspace.id, slack_user_id=user_id))


def team_id_of(body: Any) -> str | None:
    """The workspace a Slack request comes from, read defensively from its parsed body.

    Interactions carry `team.id`, events and commands `team_id`; an org-wide install on
    Enterprise Grid may leave both out and name only the acting user's `team_id`.
    """
    if not isinstance(body, dict):
        return None
    team = body.get("team")
    user = body.get("user")
    for found in (
        team.get("id") if isinstance(team, dict) else team,
        body.get("team_id"),
        user.get("team_id") if isinstance(user, dict) else None,
    ):
        if isinstance(found, str) and found:
            return found
    return None


def load_scope_for(session: Session, body: dict[str, Any]) -> Scope:
    """The scope of the person who clicked or submitted: `body` is the interaction payload."""
    return load_scope(session, team_id=team_id_of(body) or "", user_id=body["user"]["id"])
