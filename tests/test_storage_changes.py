"""Audited objective changes, new refs, owners Slack must know, and once-only claims."""

import pytest
from slack_sdk import WebClient
from sqlmodel import select

from bot.errors import InvalidInput
from bot.people import resolve_owner
from bot.standin import SlackStandIn
from storage import audit, events, objectives
from storage.models import Objective, Person
from tests import factories as f


def test_update_audits_only_what_changed(session):
    ws = f.workspace(session)
    an1 = f.objective(session, ws, "AN1", target=14.0)
    assert objectives.update(session, actor="U1", objective=an1, changes={"target": 14.0}) == {}
    diff = objectives.update(
        session, actor="U1", objective=an1, changes={"target": 15.0, "title": "New"}
    )
    assert diff == {"target": (14.0, 15.0), "title": ("Objective AN1", "New")}
    [entry] = audit.entries(session, workspace_id=ws.id, entity="objective")
    assert entry.before == {"target": 14.0, "title": "Objective AN1"}
    assert entry.after == {"target": 15.0, "title": "New"} and entry.actor == "U1"


def test_archive_keeps_the_row(session):
    ws = f.workspace(session)
    an1 = f.objective(session, ws, "AN1")
    assert objectives.archive(session, actor="U1", objective=an1)
    session.commit()
    assert session.exec(select(Objective).where(Objective.ref == "AN1")).one().state == "archived"
    assert not objectives.archive(session, actor="U1", objective=an1)  # already archived


def test_refs_are_found_ignoring_case_and_scoped_by_workspace(session):
    mine, other = f.workspace(session, "T1"), f.workspace(session, "T2")
    an1 = f.objective(session, mine, "AN1")
    theirs = f.objective(session, other, "AN9")
    assert objectives.by_ref(session, workspace_id=mine.id, ref="an1").id == an1.id
    assert objectives.by_id(session, workspace_id=mine.id, objective_id=theirs.id) is None


def test_next_refs(session):
    ws = f.workspace(session)
    an1 = f.objective(session, ws, "AN1")
    f.objective(session, ws, "AN1.1", level="cascaded", parent_id=an1.id)
    f.objective(session, ws, "AN1.3", level="cascaded", parent_id=an1.id)
    f.objective(session, ws, "AN1.3.1", level="cascaded")
    assert objectives.next_child_ref(session, workspace_id=ws.id, parent=an1) == "AN1.4"
    assert objectives.next_top_ref(session, workspace_id=ws.id, prefix="AN") == "AN2"
    assert objectives.next_top_ref(session, workspace_id=ws.id, prefix="BT") == "BT1"


def test_claim_is_true_once_and_keeps_the_transaction(session):
    ws = f.workspace(session)
    assert events.claim(session, workspace_id=ws.id, key="view:V1")
    assert not events.claim(session, workspace_id=ws.id, key="view:V1")
    f.objective(session, ws, "AN1")  # the surrounding transaction still works
    session.commit()
    assert events.claim(session, workspace_id=ws.id, key="view:V2")


@pytest.fixture
def slack_directory():
    standin = SlackStandIn(team_id="T0ACME", bot_token="xoxb-t")
    standin.add_user("U0NEW", name="nia", real_name="Nia Obi", tz="Africa/Lagos")
    standin.add_user("U0GONE", name="gone", real_name="Gone Person", deleted=True)
    standin.add_user("U0BOT", name="robot", is_bot=True)
    with standin:
        yield WebClient(token="xoxb-t", base_url=standin.api_url)


def test_owner_new_to_the_plan_is_added_from_slack(session, slack_directory):
    ws = f.workspace(session)
    person = resolve_owner(
        session, slack_directory, workspace_id=ws.id, slack_user_id="U0NEW", field="owner"
    )
    assert (person.name, person.timezone) == ("Nia Obi", "Africa/Lagos")
    assert session.exec(select(Person).where(Person.slack_user_id == "U0NEW")).one()


@pytest.mark.parametrize(
    ("user", "says"),
    [
        ("U0GONE", "deactivated"),
        ("U0BOT", "Bots and apps"),
        ("U0NOBODY", "not in this workspace"),
        (None, "pick a person"),
        ("\x00", "not a person in Slack"),  # PostgreSQL refuses NUL: never queried
        ("u0new'; --", "not a person in Slack"),
    ],
)
def test_owner_that_cannot_own_is_refused_on_the_field(session, slack_directory, user, says):
    ws = f.workspace(session)
    with pytest.raises(InvalidInput) as error:
        resolve_owner(
            session, slack_directory, workspace_id=ws.id, slack_user_id=user, field="owner"
        )
    assert says in error.value.message and error.value.field == "owner"


def test_known_but_unreachable_owner_is_refused(session, slack_directory):
    ws = f.workspace(session)
    f.person(session, ws, "U0LEFT", name="Left", unreachable_reason="account_inactive")
    with pytest.raises(InvalidInput, match="can't be reached"):
        resolve_owner(
            session, slack_directory, workspace_id=ws.id, slack_user_id="U0LEFT", field="owner"
        )
