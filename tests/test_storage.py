"""The schema: migrations reach head on both backends and the uniqueness rules hold."""

from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from storage.db import alembic_config, current_revision, upgrade
from storage.models import CheckIn, Objective, ObjectiveLevel, Person, Workspace


def test_migrations_reach_head_and_are_idempotent(engine):
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert head == "0007"  # the newest file in storage/migrations/versions
    assert current_revision(engine) == head
    upgrade(engine)  # a second start must be a no-op
    assert current_revision(engine) == head


def test_migrations_build_exactly_the_tables_the_models_describe(engine):
    """A model changed without a migration (or the reverse) shows up here, on both backends."""
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_dm_comments_kept_as_slack_escaped_them_are_decoded_once_by_0006(engine):
    from tests import factories as f

    sent = {  # as the old code kept them (Slack's escaping) -> as typed
        "AN1": ("a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"),
        "AN2": ("typed &amp;lt; and &amp;amp;", "typed &lt; and &amp;"),
        "AN3": ("&lt;" * 400, "<" * 400),
        "AN4": ("no entities here", "no entities here"),
    }
    with Session(engine) as session:
        ws = f.workspace(session, "T1")
        for ref in sent:
            f.check_in(session, f.objective(session, ws, ref), "2027-06")
        session.commit()
    command.downgrade(alembic_config(engine), "0005")
    with engine.begin() as connection:  # the comments as the old code kept them
        for ref, (old, _) in sent.items():
            connection.execute(
                text(
                    "UPDATE check_in SET comment = :old"
                    " WHERE objective_id = (SELECT id FROM objective WHERE ref = :ref)"
                ),
                {"old": old, "ref": ref},
            )

    upgrade(engine)

    def comments() -> dict[str, str]:
        with Session(engine) as session:
            rows = session.exec(select(Objective.ref, CheckIn.comment).join(CheckIn)).all()
            return dict(rows)

    assert comments() == {ref: typed for ref, (_, typed) in sent.items()}
    command.downgrade(alembic_config(engine), "0005")  # and back, exactly
    assert comments() == {ref: old for ref, (old, _) in sent.items()}
    upgrade(engine)


def test_0007_gives_workspaces_english_and_people_no_language_and_goes_back(engine):
    command.downgrade(alembic_config(engine), "0006")
    with engine.begin() as connection:  # rows as 0006 knew them (the models know 0007's columns)
        now = {"now": datetime(2027, 1, 1, tzinfo=UTC)}
        connection.execute(
            text(
                "INSERT INTO workspace (team_id, timezone, fiscal_year_start_month,"
                " checkin_business_day, checkin_time, reminder_after_days, escalate_after_days,"
                " hansei_weeks_before_year_end, owner_objective_limit, created_at, updated_at)"
                " VALUES ('T1', 'UTC', 1, 1, '09:00', 3, 7, 3, 5, :now, :now)"
            ),
            now,
        )
        connection.execute(
            text(
                "INSERT INTO person (workspace_id, slack_user_id, name, is_admin, created_at,"
                " updated_at) SELECT id, 'U1', 'Ana', false, :now, :now FROM workspace"
            ),
            now,
        )
    columns = {c["name"] for c in inspect(engine).get_columns("person")}
    assert not {"language", "locale"} & columns

    upgrade(engine)
    with Session(engine) as session:
        ws = session.exec(select(Workspace)).one()
        ana = session.exec(select(Person)).one()
        assert (ws.language, ana.language, ana.locale) == ("en", None, None)
        ws.language, ana.language, ana.locale = "ja", "ru", "ru-RU"
        session.commit()
    with Session(engine) as session:
        ana = session.exec(select(Person)).one()
        assert (session.exec(select(Workspace)).one().language, ana.language) == ("ja", "ru")

    command.downgrade(alembic_config(engine), "0006")
    assert "language" not in {c["name"] for c in inspect(engine).get_columns("workspace")}
    upgrade(engine)


def test_one_check_in_per_objective_and_period(session):
    ws = Workspace(team_id="T1")
    session.add(ws)
    session.flush()
    owner = Person(workspace_id=ws.id, slack_user_id="U1", name="Ana")
    session.add(owner)
    session.flush()
    objective = Objective(
        workspace_id=ws.id, ref="AN1", level=ObjectiveLevel.ANNUAL, title="Grow", owner_id=owner.id
    )
    session.add(objective)
    session.flush()
    session.add(CheckIn(workspace_id=ws.id, objective_id=objective.id, period="2027-01", actual=1))
    session.commit()
    session.add(CheckIn(workspace_id=ws.id, objective_id=objective.id, period="2027-01", actual=2))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_refs_are_unique_per_workspace_not_globally(session):
    first, second = Workspace(team_id="T1"), Workspace(team_id="T2")
    session.add_all([first, second])
    session.flush()
    for ws in (first, second):
        session.add(Objective(workspace_id=ws.id, ref="BT1", level="breakthrough", title="x"))
    session.commit()
    session.add(Objective(workspace_id=first.id, ref="BT1", level="breakthrough", title="y"))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
