"""Alembic environment: migrations read SQLModel.metadata and run on the engine they are given."""

from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # Several instances may start at once: one migrates, the others wait, then see head.
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7243001)")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
