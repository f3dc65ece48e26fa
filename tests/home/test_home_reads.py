"""The Home's reads: the right rows, in a fixed number of queries whatever the plan's size."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

from sqlalchemy import event
from sqlmodel import select

from bot.home.service import assemble_home
from storage import home as reads
from storage import objectives
from storage.models import ActionItem, CatchballRound, Objective
from tests import factories as f

TODAY = date(2027, 6, 15)


@contextmanager
def counting(engine):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def plan(session, *, owned: int, pending: int):
    ws = f.workspace(session, "T0ACME", vision="North", values=["Candour"])
    ana = f.person(session, ws, "U0ANA", name="Ana")
    mo = f.person(session, ws, "U0MO", name="Mo")
    bt = f.objective(session, ws, "BT1", level="breakthrough", owner_id=ana.id)
    for i in range(owned):
        o = f.objective(session, ws, f"AN{i}", parent_id=bt.id, owner_id=ana.id, target=5)
        f.check_in(session, o, "2027-05", actual=3, status="at_risk")
        session.add(
            ActionItem(workspace_id=ws.id, objective_id=o.id, title=f"Do {i}", owner_id=ana.id)
        )
    for i in range(pending):
        child = f.objective(
            session, ws, f"AN0.{i}", level="cascaded", state="proposed", parent_id=bt.id
        )
        session.add(
            CatchballRound(
                workspace_id=ws.id,
                objective_id=child.id,
                round_no=1,
                proposer_id=mo.id,
                decider_id=ana.id,
            )
        )
    session.commit()
    return ws, ana, mo, bt


def test_the_home_reads_a_fixed_number_of_queries(engine, session):
    plan(session, owned=3, pending=2)
    with counting(engine) as small:
        home = assemble_home(session, team_id="T0ACME", user_id="U0ANA", today=TODAY)
    assert len(home.mine) == 4 and home.pending_total == 2
    session.rollback()
    # A hundred times more of everything, in a second workspace.
    ws2 = f.workspace(session, "T0BIG")
    ana2 = f.person(session, ws2, "U0ANA", name="Ana")
    bt2 = f.objective(session, ws2, "BT1", level="breakthrough", owner_id=ana2.id)
    many = [
        Objective(
            workspace_id=ws2.id,
            ref=f"AN{i}",
            level="annual",
            year=2027,
            parent_id=bt2.id,
            owner_id=ana2.id,
            title="x",
        )
        for i in range(300)
    ]
    session.add_all(many)
    session.flush()
    for o in many:
        session.add(ActionItem(workspace_id=ws2.id, objective_id=o.id, title="x", owner_id=ana2.id))
        session.add(
            CatchballRound(
                workspace_id=ws2.id,
                objective_id=o.id,
                round_no=1,
                proposer_id=ana2.id,
                decider_id=ana2.id,
            )
        )
    session.commit()
    with counting(engine) as big:
        home = assemble_home(session, team_id="T0BIG", user_id="U0ANA", today=TODAY)
    assert home.pending_total == 300 and home.actions_total == 300 and len(home.mine) == 301
    # Counting past the first page adds one query per list; nothing grows with the plan.
    # (The A3 and hansei sections of "Waiting for you" add two fixed reads.)
    assert len(small) <= len(big) <= len(small) + 2 <= 14


def test_pending_decisions_are_only_this_persons_open_rounds(session):
    ws, ana, mo, _ = plan(session, owned=1, pending=3)
    rounds = session.exec(select(CatchballRound).order_by(CatchballRound.id)).all()
    rounds[0].decision = "approved"
    rounds[1].decider_id = mo.id
    session.commit()
    rows, total = reads.pending_decisions(session, workspace_id=ws.id, decider_id=ana.id, limit=10)
    assert total == 1 and [r.objective_ref for r in rows] == ["AN0.2"]
    (row,) = rows
    assert (row.proposer_slack_id, row.parent_ref, row.round_no) == ("U0MO", "BT1", 1)
    # An archived objective's round is history, not work.
    session.get(Objective, row.objective_id).state = "archived"
    session.commit()
    assert reads.pending_decisions(session, workspace_id=ws.id, decider_id=ana.id, limit=10) == (
        [],
        0,
    )


def test_pending_decisions_count_beyond_the_page(session):
    ws, ana, _, _ = plan(session, owned=0, pending=12)
    rows, total = reads.pending_decisions(session, workspace_id=ws.id, decider_id=ana.id, limit=5)
    assert len(rows) == 5 and total == 12


def test_open_actions_soonest_first_undated_last_done_left_out(session):
    ws, ana, _, bt = plan(session, owned=0, pending=0)
    an = f.objective(session, ws, "AN9", parent_id=bt.id, owner_id=ana.id)
    for title, due, state in [
        ("undated", None, "open"),
        ("later", date(2027, 9, 1), "open"),
        ("done", date(2027, 1, 1), "done"),
        ("sooner", date(2027, 7, 1), "blocked"),
    ]:
        session.add(
            ActionItem(
                workspace_id=ws.id,
                objective_id=an.id,
                title=title,
                owner_id=ana.id,
                due=due,
                state=state,
            )
        )
    session.commit()
    rows, total = reads.open_actions(session, workspace_id=ws.id, owner_id=ana.id, limit=10)
    assert [r.title for r in rows] == ["sooner", "later", "undated"] and total == 3
    assert rows[0].objective_ref == "AN9"


def test_live_descendants_walk_the_whole_subtree_in_order(session):
    ws, _, _, bt = plan(session, owned=0, pending=0)
    a = f.objective(session, ws, "AN1", parent_id=bt.id)
    a1 = f.objective(session, ws, "AN1.1", level="cascaded", parent_id=a.id)
    f.objective(session, ws, "AN1.1.1", level="cascaded", parent_id=a1.id)
    f.objective(session, ws, "AN1.2", level="cascaded", parent_id=a.id, state="archived")
    f.objective(session, ws, "AN2", parent_id=bt.id, state="proposed")
    session.commit()
    below = objectives.live_descendants(session, workspace_id=ws.id, root_id=bt.id)
    assert [o.ref for o in below] == ["AN1", "AN1.1", "AN1.1.1", "AN2"]
    assert (
        objectives.live_descendants(session, workspace_id=ws.id, root_id=a1.id)[0].ref == "AN1.1.1"
    )


def test_active_breakthroughs_newest_first_and_limited(session):
    ws, _, _, _ = plan(session, owned=0, pending=0)
    f.objective(session, ws, "BT2", level="breakthrough", start_year=2030, end_year=2032)
    f.objective(session, ws, "BT3", level="breakthrough", state="archived")
    session.commit()
    found = objectives.active_breakthroughs(session, workspace_id=ws.id, limit=100)
    assert [o.ref for o in found] == ["BT2", "BT1"]
    assert len(objectives.active_breakthroughs(session, workspace_id=ws.id, limit=1)) == 1
