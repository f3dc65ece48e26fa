"""The database engine, sessions and schema upgrades (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, create_engine

import storage.models  # noqa: F401  (registers every table on SQLModel.metadata)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000
# SQLite raises OperationalError for a schema older than the code, too: not worth a retry.
_SQLITE_SCHEMA_WORDS = ("no such table", "no such column")
RowT = TypeVar("RowT")


def make_engine(database_url: str, *, echo: bool = False) -> Engine:
    """An engine tuned per backend: WAL and a busy timeout on SQLite, short timeouts on PostgreSQL.

    Short connect and pool timeouts matter more than throughput here: a person waiting on a slash
    command should get "try again" within seconds, never a hang.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            hide_parameters=True,  # a logged error must not carry what people wrote
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url,
        echo=echo,
        hide_parameters=True,  # a logged error must not carry what people wrote
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        pool_timeout=5,
        connect_args={"connect_timeout": 5},
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def find_or_insert(
    session: Session, find: Callable[[], RowT | None], row: RowT
) -> tuple[RowT, bool]:
    """The row `find` reads, else `row` inserted; (row, True) when this call inserted it.

    A unique key decides between two callers racing: the insert runs in a savepoint, so the
    loser rolls back only itself and gets the winner's row.
    """
    found = find()
    if found is not None:
        return found, False
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        found = find()
        if found is None:
            raise
        return found, False
    return row, True


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision`; safe to run on every start and from several instances."""
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_connection_lost(exc: BaseException) -> bool:
    """The database could not be reached, or dropped the connection, as against refusing the
    statement: a pool with no connection to give, a refused or cut connection, one closed
    under us, a locked SQLite file. Trying again in a moment may well work."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OperationalError):
        return not any(words in str(exc.orig).lower() for words in _SQLITE_SCHEMA_WORDS)
    return isinstance(exc, PoolTimeout | DisconnectionError | InterfaceError)
