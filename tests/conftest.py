"""Shared fixtures: a migrated database on SQLite and on PostgreSQL for every test that asks."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel

from bot.context import sign_with
from storage.db import make_engine, upgrade

POSTGRES_URL = os.environ.get(
    "HOSHIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# Both backends run by default; HOSHIN_TEST_BACKENDS=sqlite narrows a local run on purpose.
BACKENDS = os.environ.get("HOSHIN_TEST_BACKENDS", "sqlite,postgresql").split(",")


@pytest.fixture(autouse=True, scope="session")
def _signing_key() -> None:
    """Builders sign the contexts they write (bot/context.py) with the app's key; tests that
    build blocks without an app sign with the end-to-end bed's secret, which its app installs."""
    from tests.e2e.conftest import SIGNING_SECRET

    sign_with(SIGNING_SECRET)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One SQLite file migrated once; each test gets a copy, which is far faster than migrating."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A private schema for this test run, so concurrent runs on one server never collide."""
    schema = f"hoshin_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.fail(
            f"PostgreSQL at {POSTGRES_URL} is not reachable ({exc.__class__.__name__}). Start it "
            "(see .ci/run) or set HOSHIN_TEST_BACKENDS=sqlite to run on SQLite alone."
        )
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    admin.dispose()


def _truncate_postgres(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    """The URL of an empty, migrated database of each backend in turn."""
    if request.param == "sqlite":
        path = tmp_path / "hoshin.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_schema_url")
        engine = make_engine(url)
        _truncate_postgres(engine)
        engine.dispose()
        return url
    raise ValueError(f"unknown backend {request.param}")


@pytest.fixture
def engine(database_url) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
