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


def suspended_workspaces(session: Session) -> list[tuple[str, str]]:
    """(team_id, reason) of each workspace whose jobs and delivery stopped for its token."""
    query = select(Workspace.team_id, Workspace.suspended_reason).where(
        Workspace.suspended_reason.is_not(None)
    )
    return [(team, reason) for team, reason in session.exec(query.order_by(Workspace.team_id))]


def resume_workspace(session: Session, *, team_id: str) -> bool:
    """Lift a suspension once the token is fixed; True if the workspace was suspended."""
    workspace = find_workspace(session, team_id=team_id)
    if workspace is None or workspace.suspended_reason is None:
        return False
    workspace.suspended_reason = None
    session.add(workspace)
    return True


def choose_language(session: Session, person: Person, language: str | None) -> None:
    """Keep the language `person` chose (None: back to auto)."""
    person.language = language
    session.add(person)
    session.flush()


def remember_locale(session: Session, person: Person, locale: str | None) -> None:
    """Keep Slack's locale of `person` (users.info include_locale)."""
    if person.locale != locale:
        person.locale = locale
        session.add(person)
        session.flush()
