"""The scheduler lease: one row per name, held by one instance until it stops renewing it.

Acquiring and renewing are one statement (INSERT ... ON CONFLICT DO UPDATE ... WHERE), the
same on SQLite and PostgreSQL: the row is taken when it is missing, already ours, or expired,
and the statement returns the row only when this holder got it. No lock is held between
statements, so a dead holder blocks no one beyond its expiry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from storage.models import SchedulerLease

TABLE = SchedulerLease.__table__
T = TABLE.c


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str
    acquired_at: datetime
    heartbeat_at: datetime
    expires_at: datetime


def acquire(session: Session, *, name: str, holder: str, now: datetime, ttl: float) -> Lease | None:
    """Take or renew the lease for `ttl` seconds; the lease if `holder` has it now, else None.

    A holder renewing keeps its `acquired_at`; a new holder starts its own.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    expires = now + timedelta(seconds=ttl)
    statement = insert(TABLE).values(
        name=name, holder=holder, acquired_at=now, heartbeat_at=now, expires_at=expires
    )
    statement = statement.on_conflict_do_update(
        index_elements=["name"],
        set_={
            "holder": statement.excluded.holder,
            "acquired_at": case(
                (T.holder == statement.excluded.holder, T.acquired_at),
                else_=statement.excluded.acquired_at,
            ),
            "heartbeat_at": statement.excluded.heartbeat_at,
            "expires_at": statement.excluded.expires_at,
        },
        where=(T.holder == holder) | (T.expires_at <= now),
    ).returning(T.name, T.holder, T.acquired_at, T.heartbeat_at, T.expires_at)
    row = session.execute(statement).first()
    return Lease(*row) if row is not None else None


def release(session: Session, *, name: str, holder: str, now: datetime) -> bool:
    """End `holder`'s lease now (the row stays, for operators); True if it was held."""
    result = session.execute(
        update(TABLE)
        .where(T.name == name, T.holder == holder, T.expires_at > now)
        .values(expires_at=now)
    )
    return result.rowcount == 1


def current(session: Session, *, name: str) -> Lease | None:
    """The lease row as it stands (expired or not): who leads, and their last heartbeat."""
    row = session.execute(
        select(T.name, T.holder, T.acquired_at, T.heartbeat_at, T.expires_at).where(T.name == name)
    ).first()
    return Lease(*row) if row is not None else None
