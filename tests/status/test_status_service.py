"""Answering status reads a fixed number of queries, whatever the plan's size."""

from datetime import date

import pytest
from sqlalchemy import event
from sqlmodel import Session

from bot.context import StatusQuery
from bot.errors import NotFound, WorkspaceNotSetUp
from bot.status.service import answer_status
from tests import factories as f


def store_plan(engine, team_id: str, annual: int, cascaded_each: int) -> None:
    with Session(engine) as session:
        ws = f.workspace(session, team_id)
        owner = f.person(session, ws, f"U{team_id}", name="Ana")
        bt = f.objective(session, ws, "BT1", level="breakthrough", owner_id=owner.id)
        for a in range(annual):
            an = f.objective(session, ws, f"AN{a}", parent_id=bt.id, owner_id=owner.id)
            f.check_in(session, an, "2027-02", actual=1, status="at_risk")
            for c in range(cascaded_each):
                f.objective(session, ws, f"AN{a}.{c}", level="cascaded", parent_id=an.id)
        session.commit()


def count_queries(engine, team_id: str, query: StatusQuery) -> int:
    seen = []
    listener = lambda *args: seen.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        answer_status(engine, team_id=team_id, query=query, today=date(2027, 3, 1))
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


@pytest.mark.parametrize(
    "query",
    [
        StatusQuery(),
        StatusQuery(kind="objective", ref="AN0"),
        StatusQuery(kind="person", user="UT0BIG"),
    ],
    ids=["overview", "drill-down", "person"],
)
def test_query_count_does_not_grow_with_the_plan(engine, query):
    store_plan(engine, "T0SMALL", annual=1, cascaded_each=1)
    store_plan(engine, "T0BIG", annual=30, cascaded_each=8)
    if query.kind == "person":
        small_query = query.model_copy(update={"user": "UT0SMALL"})
    else:
        small_query = query
    assert count_queries(engine, "T0SMALL", small_query) == count_queries(engine, "T0BIG", query)


def test_unknown_workspace_and_unknown_ref_are_clear(engine):
    with pytest.raises(WorkspaceNotSetUp):
        answer_status(engine, team_id="T0NONE", query=StatusQuery(), today=date(2027, 1, 1))
    store_plan(engine, "T0SMALL", annual=2, cascaded_each=0)
    with pytest.raises(NotFound, match="Did you mean"):
        answer_status(
            engine,
            team_id="T0SMALL",
            query=StatusQuery(kind="objective", ref="AN3"),
            today=date(2027, 1, 1),
        )


def test_a_comment_alone_does_not_hide_the_latest_status(engine):
    with Session(engine) as session:
        ws = f.workspace(session, "T0C")
        an1 = f.objective(session, ws, "AN1", target=14.0)
        f.check_in(session, an1, "2027-05", actual=12, status="off_track")
        f.check_in(session, an1, "2027-06", comment="Busy month, numbers next week")
        session.commit()
    message = answer_status(
        engine,
        team_id="T0C",
        query=StatusQuery(kind="objective", ref="AN1"),
        today=date(2027, 6, 20),
    )
    text = str(message.blocks)
    assert "12 in May 2027" in text and "off track" in text
