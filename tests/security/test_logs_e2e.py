"""After a run where things fail, the logs hold no token, no signing secret and no message body.

tests/e2e/test_security_e2e.py scans the logs of a good command and a forged one; here every
failure path that logs gets a secret to leak: a forged request, a revoked token, a channel the
bot is not in, and words PostgreSQL refuses to store (a NUL byte), which puts the SQL
parameters into the exception that is logged.
"""

from __future__ import annotations

import logging
import time

from bot import ids
from bot.context import CheckInRef
from tests.e2e.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.e2e.test_checkin_e2e import dm_event, open_modal, setup_month

SECRET_WORDS = "merger with Initech, tell nobody"


def quiet(slack, seconds: float = 0.5, timeout: float = 10.0) -> None:
    """Wait until the app has stopped calling Slack (its background work is done)."""
    deadline = time.monotonic() + timeout
    seen = -1
    while time.monotonic() < deadline and len(slack.standin.calls) != seen:
        seen = len(slack.standin.calls)
        time.sleep(seconds)


def logged(caplog) -> str:
    """Every record as it would be written, tracebacks included."""
    return caplog.text + "\n".join(r.getMessage() for r in caplog.records)


def test_a_run_full_of_failures_logs_no_secret_and_no_body(slack, caplog):
    caplog.set_level(logging.DEBUG)
    refs = setup_month(slack, in_channel=False)  # the review channel refuses the bot
    # A check-in whose words cannot be stored on PostgreSQL, then one that can.
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    answer = {ids.FIELD_ACTUAL: "15", ids.FIELD_STATUS: "on_track"}
    slack.submit("U0MGR", view, {**answer, ids.FIELD_WHAT_HAPPENED: SECRET_WORDS + "\x00"})
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    slack.submit("U0MGR", view, {**answer, ids.FIELD_WHAT_HAPPENED: SECRET_WORDS})
    # A DM reply the same, and a forged request carrying the words.
    slack.sender.event(dm_event("U0VP", SECRET_WORDS + "\x00"), event_id="Ev0NUL")
    slack.sender.post(f"text={SECRET_WORDS}", signature="v0=" + "2" * 64)
    # The token revoked: what the bot tries next fails.
    slack.standin.revoke_token()
    slack.sender.block_action(
        user_id="U0MGR",
        action_id=ids.ACTION_CHECKIN_OPEN,
        value=CheckInRef(objective_id=refs["AN1.1"], period="2027-06").dump(),
    )
    delivery = slack.sender.slash_command(user_id="U0CEO", text=f"status {SECRET_WORDS}")
    slack.answer_to(delivery)

    quiet(slack)
    text = logged(caplog)
    assert "WARNING" in text or "ERROR" in text  # the run did fail, and said so
    for secret in (BOT_TOKEN, SIGNING_SECRET, SECRET_WORDS, "Initech"):
        assert secret not in text, f"{secret!r} reached the logs"


def test_a_database_error_never_carries_what_people_wrote(engine):
    """SQL parameters stay out of exceptions (and so out of every logged traceback)."""
    from sqlalchemy.exc import IntegrityError
    from sqlmodel import Session

    from storage.models import Workspace

    with Session(engine) as session:
        session.add(Workspace(team_id="T0SAME", vision=SECRET_WORDS))
        session.commit()
        session.add(Workspace(team_id="T0SAME", vision=SECRET_WORDS))
        try:
            session.commit()
        except IntegrityError as exc:
            assert SECRET_WORDS not in str(exc)  # (PostgreSQL names the key; ids are no secret)
        else:
            raise AssertionError("the duplicate team id was stored")


def test_nul_bytes_typed_into_a_modal_or_a_dm_are_dropped_not_an_error(slack):
    refs = setup_month(slack)
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    answer = {ids.FIELD_ACTUAL: "15", ids.FIELD_STATUS: "on_track"}
    ack = slack.submit("U0MGR", view, {**answer, ids.FIELD_WHAT_HAPPENED: "Good\x00 month"})
    assert ack.json() is None  # stored, not "can't reach its database"
    from tests.e2e.test_checkin_e2e import check_in_row

    assert check_in_row(slack.engine, refs["AN1.1"]).what_happened == "Good month"
