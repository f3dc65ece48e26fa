"""The scheduler lease: one row per name, held by one instance until it stops renewing it.

Acquiring and renewing are one statement (INSERT ... ON CONFLICT DO UPDATE ... WHERE), the
same on SQLite and PostgreSQL: the row is taken when it is missing, already ours, or expired,
and the statement returns the row only when this holder got it. No lock is held between
statements, so a dead holder blocks no one beyond its expiry.

Clock steps (issue 16): every stamp and every comparison uses one clock, the database's
(`database_now`), so instances whose own clocks disagree still agree on the lease. That clock can
step too (NTP, a resumed VM), so nothing here trusts it to run forward:
- a released lease has its expiry set to `RELEASED`, the epoch, which is in the past whatever the
  clock says: any instance takes it at its next attempt;
- an expiry further ahead than `MAX_AHEAD_LEASES` leases was written before the clock stepped
  back (a live holder's is never more than one lease ahead of the clock that stamped it), so it
  is treated as expired. A dead holder's lease therefore outlives a step back by at most one
  more lease. A live holder renews at its next heartbeat (a renewal is always allowed); if
  another instance's attempt comes first, the lease changes hands once and the old holder learns
  it at its next heartbeat, as after any takeover.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from storage.models import SchedulerLease

TABLE = SchedulerLease.__table__
T = TABLE.c

# The expiry of a released lease: before any time a clock could read.
RELEASED = datetime(1970, 1, 1, tzinfo=UTC)
# How far ahead an expiry may lie and still be believed. One lease is what a holder stamps; the
# second covers the moments between reading the clock and the statement that compares (a wait
# on the row's lock), so that a live holder's lease is never taken for a stepped one.
MAX_AHEAD_LEASES = 2
COLUMNS = (T.name, T.holder, T.acquired_at, T.heartbeat_at, T.expires_at, T.jobs_ran_at)


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str
    acquired_at: datetime
    heartbeat_at: datetime
    expires_at: datetime
    # When a holder's scheduler last started a job (None: never since this column came).
    jobs_ran_at: datetime | None = None

    def held(self, now: datetime, ttl: float) -> bool:
        """Someone holds it at `now`: not released, not expired, not stamped before a step back."""
        return now < self.expires_at <= _believable(now, ttl)


def _believable(now: datetime, ttl: float) -> datetime:
    return now + timedelta(seconds=MAX_AHEAD_LEASES * ttl)


def database_now(session: Session) -> datetime:
    """The database's clock, aware UTC: the one clock every instance stamps the lease by.

    On PostgreSQL the server's (clock_timestamp, not the transaction's start); SQLite runs inside
    this process, so its clock is this host's, read by SQLite rather than by Python.
    """
    if session.get_bind().dialect.name == "postgresql":
        value = session.execute(text("SELECT clock_timestamp()")).scalar_one()
        return value.astimezone(UTC)
    value = session.execute(text("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")).scalar_one()
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)


def acquire(session: Session, *, name: str, holder: str, now: datetime, ttl: float) -> Lease | None:
    """Take or renew the lease for `ttl` seconds; the lease if `holder` has it now, else None.

    A holder renewing keeps its `acquired_at`; a new holder starts its own. It is free when
    missing, ours, released, expired, or stamped before the clock stepped back (see above).
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
        where=(T.holder == holder) | (T.expires_at <= now) | (T.expires_at > _believable(now, ttl)),
    ).returning(*COLUMNS)
    row = session.execute(statement).first()
    return Lease(*row) if row is not None else None


def release(session: Session, *, name: str, holder: str) -> bool:
    """End `holder`'s lease (the row stays, for operators); True if it had not ended already.

    The expiry becomes `RELEASED` rather than "now": a "now" read by a clock that ran fast would
    keep the lease from everyone once the clock is stepped back.
    """
    result = session.execute(
        update(TABLE)
        .where(T.name == name, T.holder == holder, T.expires_at != RELEASED)
        .values(expires_at=RELEASED)
    )
    return result.rowcount == 1


def record_job_run(session: Session, *, name: str, now: datetime) -> None:
    """Stamp that the leader's scheduler started a job at `now` (the lease's clock).

    Whoever holds the row: an instance runs jobs only while it believes it leads, and this
    records that jobs ran, not who leads. Always overwritten, never "the latest of": a stamp
    written before the clock stepped back is replaced by the next run's.
    """
    session.execute(update(TABLE).where(T.name == name).values(jobs_ran_at=now))


def current(session: Session, *, name: str) -> Lease | None:
    """The lease row as it stands (expired or not): who leads, and their last heartbeat."""
    row = session.execute(select(*COLUMNS).where(T.name == name)).first()
    return Lease(*row) if row is not None else None
