"""The jobs' loop over workspaces: one transaction each, one workspace's failure never the others'."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.clock import ManualClock
from schedules import jobs
from schedules.jobs import JobReport, for_each_workspace
from storage.db import session_scope
from storage.models import Person, Workspace
from tests import factories as f


@pytest.fixture
def three(engine) -> list[int]:
    with session_scope(engine) as session:
        ids = [f.workspace(session, team_id=t).id for t in ("T0ONE", "T0TWO", "T0SUS")]
        session.get(Workspace, ids[2]).suspended_reason = "token_revoked"
    return ids


def test_a_failing_workspace_is_rolled_back_and_named_while_the_others_go_on(engine, three):
    def work(session: Session, workspace: Workspace) -> str:
        f.person(session, workspace, "U0WROTE")
        if workspace.team_id == "T0ONE":
            raise RuntimeError("boom")
        return workspace.team_id

    report = JobReport()
    done = [
        (w.id, result) for w, result in for_each_workspace(engine, work, job="t", report=report)
    ]

    assert done == [(three[1], "T0TWO")]  # the suspended one is passed over
    assert report.errors == ["T0ONE: RuntimeError"]
    with session_scope(engine) as session:
        wrote = session.exec(select(Person.workspace_id)).all()
    assert wrote == [three[1]]  # T0ONE's write went with its failure


def test_the_part_that_failed_is_named(engine, three, caplog):
    report = JobReport()
    results = for_each_workspace(
        engine, lambda s, w: 1 / 0, job="reminders", report=report, part="hansei"
    )
    assert list(results) == []
    assert report.errors == ["T0ONE hansei: ZeroDivisionError", "T0TWO hansei: ZeroDivisionError"]
    assert "reminders: hansei of workspace T0ONE failed" in caplog.text


def test_what_the_caller_does_with_a_result_is_not_taken_for_the_workspaces_failure(engine, three):
    report = JobReport()
    with pytest.raises(KeyError):
        for _ in for_each_workspace(engine, lambda s, w: w.id, job="t", report=report):
            raise KeyError("the caller's own bug")
    assert report.errors == []


def test_the_hansei_reminders_still_run_where_the_check_in_reminders_failed(
    engine, three, monkeypatch
):
    def broken(session, workspace, *, now):
        raise RuntimeError("check-in reminders")

    monkeypatch.setattr(jobs, "queue_reminders", broken)
    report = jobs.send_reminders(engine, ManualClock(datetime(2027, 6, 15, 9, 0, tzinfo=UTC)))
    assert report.errors == ["T0ONE: RuntimeError", "T0TWO: RuntimeError"]
    assert [h.team_id for h in report.hansei] == ["T0ONE", "T0TWO"]
