"""One workspace's reflection that cannot be posted never stops another's, and the run names it."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.reflection import post as posting
from storage.models import Workspace
from tests.e2e.reflection_bed import LEAD, FakeBuilder, run_job, setup_year
from tests.security.twoworkspaces import OTHER, other_workspace

OTHER_LEAD = "C0OLEAD"


def two_years(slack) -> None:
    """FY2027 in T0ACME (leadership channel C0LEAD) and in the second workspace (C0OLEAD)."""
    setup_year(slack)
    other_workspace(slack.engine)
    slack.standin.add_channel(OTHER_LEAD, name="other-leadership")
    with Session(slack.engine) as session:
        other = session.exec(select(Workspace).where(Workspace.team_id == OTHER)).one()
        other.leadership_channel = OTHER_LEAD
        session.add(other)
        session.commit()


def posted_in(slack, channel: str) -> list[str]:
    return [m.text for m in slack.standin.messages(channel)]


def test_a_part_slack_refuses_in_one_workspace_stops_no_other_and_is_named(slack):
    two_years(slack)
    slack.standin.inject("chat.postMessage", error="invalid_blocks", times=50, channel=LEAD)

    report = run_job(slack, FakeBuilder())

    assert report.posted == [(OTHER, 2027)], report.lines
    assert posted_in(slack, LEAD) == []
    assert len(posted_in(slack, OTHER_LEAD)) == 5  # the summary, the chart, three replies
    assert report.errors == ["T0ACME FY2027 reflection summary failed: invalid_blocks"]


def test_a_reflection_whose_step_raises_stops_no_other_workspace(slack, monkeypatch):
    two_years(slack)
    advance = posting.advance
    with Session(slack.engine) as session:
        acme = session.exec(select(Workspace).where(Workspace.team_id == "T0ACME")).one().id

    def failing_for_acme(session, *, reflection_id, now):
        row = session.get(posting.Reflection, reflection_id)
        if row is not None and row.workspace_id == acme:
            raise RuntimeError("the database went away for this one")
        return advance(session, reflection_id=reflection_id, now=now)

    monkeypatch.setattr(posting, "advance", failing_for_acme)

    report = run_job(slack, FakeBuilder())

    assert report.posted == [(OTHER, 2027)], report.lines
    assert len(posted_in(slack, OTHER_LEAD)) == 5
    assert report.errors == ["T0ACME reflection: RuntimeError"]
