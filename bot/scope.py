"""Who is acting, in which workspace: loaded from the database on every request."""

from __future__ import annotations

from dataclasses import dataclass

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
