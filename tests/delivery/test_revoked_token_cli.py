"""A revoked token: the bot cannot tell anyone in Slack, so the operator is told, and resumes it."""

from __future__ import annotations

from click.testing import CliRunner

from bot.cli import main as hoshin
from storage.db import session_scope
from storage.workspaces import find_workspace
from tests.delivery.conftest import TEAM, Rig


def cli(rig: Rig, *args: str):
    url = rig.engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(hoshin, list(args), env={"DATABASE_URL": url})


def test_a_suspended_workspace_shows_in_jobs_list_until_it_is_resumed(rig: Rig, caplog):
    users = rig.people(5)
    rig.dms(users)
    rig.standin.revoke_token()
    rig.deliverer().run_until_idle(timeout=10)
    assert rig.workspace().suspended_reason == "token_revoked"
    assert any(
        r.levelname == "ERROR" and "suspended: token_revoked" in r.getMessage()
        for r in caplog.records
    )

    listed = cli(rig, "jobs", "list")
    assert listed.exit_code == 0, listed.output
    assert f"SUSPENDED {TEAM}: token_revoked" in listed.output
    assert f"hoshin jobs resume {TEAM}" in listed.output

    rig.standin._token_revoked = False  # an admin reinstalls the app and fixes the token
    resumed = cli(rig, "jobs", "resume", TEAM)
    assert resumed.exit_code == 0 and "resumed" in resumed.output
    assert "SUSPENDED" not in cli(rig, "jobs", "list").output
    rig.deliverer().run_until_idle(timeout=10)
    assert rig.states() == {"sent": 5}  # kept while suspended, delivered once after

    again = cli(rig, "jobs", "resume", TEAM)
    assert again.exit_code == 1 and "is not suspended" in again.output
    with session_scope(rig.engine) as session:
        assert find_workspace(session, team_id=TEAM).suspended_reason is None
