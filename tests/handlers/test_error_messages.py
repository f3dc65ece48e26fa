"""What a person hears when the database fails: try again for a lost connection, else nothing saved.

The errors are real ones, raised by the database of each backend (or by a pool that cannot get
a connection), not hand-made instances, so the test follows what SQLAlchemy actually raises.
"""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from handlers.errors import form_error_response, user_message_for
from storage.db import is_connection_lost, make_engine
from tests import factories as f

TRY_AGAIN = "can't reach its database right now. Nothing was changed"
NOTHING_SAVED = "so nothing was saved"


def raised(call) -> Exception:
    try:
        call()
    except Exception as exc:
        return exc
    raise AssertionError("nothing was raised")


def test_an_unreachable_database_says_try_again(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}")  # a directory: SQLite cannot open it
    exc = raised(lambda: engine.connect())
    engine.dispose()
    assert isinstance(exc, OperationalError) and is_connection_lost(exc)
    message = user_message_for(exc)
    assert TRY_AGAIN in message and "try again in a minute" in message
    assert NOTHING_SAVED not in message


def test_a_pool_with_no_connection_to_give_says_try_again(database_url):
    engine = create_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=0.1)
    held = engine.connect()
    try:
        exc = raised(lambda: engine.connect())
    finally:
        held.close()
        engine.dispose()
    assert isinstance(exc, PoolTimeout)
    assert TRY_AGAIN in user_message_for(exc)


def test_a_connection_the_driver_reports_as_dropped_says_try_again(engine):
    # A statement the schema refuses (SQLite says so with an OperationalError) is no outage...
    with engine.connect() as connection:
        error = raised(lambda: connection.execute(text("SELECT * FROM no_such_table")))
    assert isinstance(error, DBAPIError) and not is_connection_lost(error)
    assert TRY_AGAIN not in user_message_for(error)
    # ...but SQLAlchemy flags any DBAPIError whose driver error is a disconnect.
    error.connection_invalidated = True
    assert is_connection_lost(error) and TRY_AGAIN in user_message_for(error)


def test_a_refused_write_says_nothing_was_saved_with_a_reference(session: Session, caplog):
    ws = f.workspace(session, team_id="T0DUP")
    session.commit()
    # One workspace per team: the database refuses a second.
    exc = raised(lambda: f.workspace(session, team_id=ws.team_id))
    session.rollback()
    assert isinstance(exc, IntegrityError) and not is_connection_lost(exc)

    with caplog.at_level(logging.ERROR, logger="handlers.errors"):
        message = user_message_for(exc)
    assert NOTHING_SAVED in message and TRY_AGAIN not in message
    reference = re.search(r"reference `([0-9a-f]{8})`", message).group(1)
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)
    # In a modal it shows inline, under the form's fallback field.
    answer = form_error_response(exc, fallback_block="title")
    assert answer["response_action"] == "errors" and NOTHING_SAVED in answer["errors"]["title"]


@pytest.mark.parametrize("exc", [ValueError("boom"), KeyError("user")])
def test_anything_else_is_an_error_on_our_side(exc):
    message = user_message_for(exc)
    assert "Something went wrong on our side" in message
    assert NOTHING_SAVED not in message and TRY_AGAIN not in message
