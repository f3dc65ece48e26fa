"""Fixtures of the multi-process tests: the one database several instances share."""

from __future__ import annotations

import pytest

from storage.db import make_engine
from tests.conftest import BACKENDS


@pytest.fixture
def shared_url(request, tmp_path) -> str:
    """PostgreSQL, as production runs several instances (SQLite when run on SQLite alone)."""
    if "postgresql" in BACKENDS:
        return request.getfixturevalue("database_url_postgres")
    return request.getfixturevalue("database_url_sqlite")


@pytest.fixture
def database_url_postgres(postgres_schema_url) -> str:
    from tests.conftest import _truncate_postgres

    engine = make_engine(postgres_schema_url)
    _truncate_postgres(engine)
    engine.dispose()
    return postgres_schema_url


@pytest.fixture
def database_url_sqlite(sqlite_template, tmp_path) -> str:
    import shutil

    path = tmp_path / "hoshin.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"
