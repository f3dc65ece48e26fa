"""Looking up workspaces and people by their Slack ids."""

from __future__ import annotations

from sqlmodel import Session, func, select

from storage.models import Person, Workspace


def find_workspace(session: Session, *, team_id: str) -> Workspace | None:
    return session.exec(select(Workspace).where(Workspace.team_id == team_id)).first()


def find_person(session: Session, *, workspace_id: int, slack_user_id: str) -> Person | None:
    return session.exec(
        select(Person).where(
            Person.workspace_id == workspace_id, Person.slack_user_id == slack_user_id
        )
    ).first()


def find_people_by_name(session: Session, *, workspace_id: int, name: str) -> list[Person]:
    """People whose name matches, ignoring case: `@ana` from a slash command's plain text."""
    return list(
        session.exec(
            select(Person).where(
                Person.workspace_id == workspace_id, func.lower(Person.name) == name.lower()
            )
        )
    )


def admin_slack_ids(session: Session, *, workspace_id: int) -> list[str]:
    return list(
        session.exec(
            select(Person.slack_user_id)
            .where(Person.workspace_id == workspace_id, Person.is_admin.is_(True))
            .order_by(Person.id)
        )
    )


def all_workspaces(session: Session) -> list[Workspace]:
    return list(session.exec(select(Workspace).order_by(Workspace.id)))
