"""Starting next year's plan from the reflection's carry-overs: admins only, once, in catchball."""

from __future__ import annotations

from sqlmodel import Session, select

from bot import ids
from storage.audit import entries
from storage.models import CatchballRound, Objective, Reflection
from tests.e2e.conftest import visible
from tests.e2e.reflection_bed import FakeBuilder, click, run_job, setup_year, thread_of
from tests.e2e.test_catchball_e2e import prefilled


def drafts(engine) -> list[Objective]:
    with Session(engine) as session:
        return list(session.exec(select(Objective).where(Objective.year == 2028)).all())


def test_an_admin_starts_next_year_once_and_the_drafts_enter_catchball(slack):
    refs = setup_year(slack)
    assert run_job(slack, FakeBuilder()).posted
    _, replies = thread_of(slack)
    closing = replies[-1]
    assert ids.ACTION_REFLECTION_CARRYOVER in str(closing.blocks)

    # Not an admin: told privately, nothing changes.
    answer = click(slack, "U0MGR", closing, ids.ACTION_REFLECTION_CARRYOVER)
    assert "Only admins can" in answer["text"]
    assert drafts(slack.engine) == []

    answer = click(slack, "U0CEO", closing, ids.ACTION_REFLECTION_CARRYOVER)
    assert "Started FY2028's plan: 1 draft annual objective" in answer["text"]
    [draft] = drafts(slack.engine)
    with Session(slack.engine) as session:
        an1 = session.get(Objective, refs["AN1"])
        assert draft.state == "proposed" and draft.level == "annual"
        assert draft.carried_from_id == an1.id and draft.parent_id == an1.parent_id
        assert (draft.title, draft.metric_name, draft.metric_unit, draft.target) == (
            an1.title,
            an1.metric_name,
            an1.metric_unit,
            an1.target,
        )
        assert draft.baseline == 12.1  # last year's final actual (December)
        assert draft.ref not in ("AN1", "AN2") and draft.owner_id == an1.owner_id
        assert len(draft.monthly_plan) == 12 and draft.monthly_plan[-1] == 14
        [round_] = session.exec(select(CatchballRound)).all()
        assert round_.objective_id == draft.id and round_.decision == "pending"
        reflection = session.exec(select(Reflection)).one()
        assert reflection.carryover_by == "U0CEO" and reflection.carryover_started_at
        [audit] = entries(session, workspace_id=refs["workspace_id"], entity="reflection")
        assert audit.action == "reflection.carryover" and audit.after["drafts"] == [draft.ref]
        assert entries(session, workspace_id=refs["workspace_id"], entity_id=draft.id)

    # The draft's owner got catchball's proposal DM, with its buttons.
    ask = slack.ui.wait_dm_with("U0VP", draft.ref)
    assert ids.ACTION_CATCHBALL_ACCEPT in slack.ui.buttons(ask)

    # The closing reply now says who started it, in place, without the button.
    assert slack.standin.wait_for(
        lambda s: "started" in visible({"blocks": thread_of(slack)[1][-1].blocks}), timeout=10
    )
    updated = thread_of(slack)[1][-1]
    assert updated.ts == closing.ts and "<@U0CEO>" in visible({"blocks": updated.blocks})
    assert ids.ACTION_REFLECTION_CARRYOVER not in str(updated.blocks)

    # A second click (the old message, or another admin's) changes nothing and says who did it.
    answer = click(slack, "U0CEO", closing, ids.ACTION_REFLECTION_CARRYOVER)
    assert "already started" in answer["text"] and "<@U0CEO>" in answer["text"]
    assert len(drafts(slack.engine)) == 1
    with Session(slack.engine) as session:
        assert len(session.exec(select(CatchballRound)).all()) == 1

    # The draft shows in next year's status.
    status = slack.command("U0CEO", "status 2028")
    assert draft.ref in visible(status) and "draft" in visible(status)

    # The owner accepts in catchball: the leader proposed it, so it is agreed and active.
    slack.ui.click("U0VP", ask, ids.ACTION_CATCHBALL_ACCEPT)
    assert slack.standin.wait_for(lambda _: drafts(slack.engine)[0].state == "active", timeout=10)


def test_a_draft_of_a_huge_target_is_saved_back_unchanged(slack):
    # A straight plan from 12.1 to 98,765,432,109,876 has months of 17 significant digits at
    # four decimals; the draft's prefilled plan must be one the modal takes back as it is.
    refs = setup_year(slack)
    with Session(slack.engine) as session:
        an1 = session.get(Objective, refs["AN1"])
        an1.target = 98_765_432_109_876
        session.add(an1)
        session.commit()
    assert run_job(slack, FakeBuilder()).posted
    closing = thread_of(slack)[1][-1]
    answer = click(slack, "U0CEO", closing, ids.ACTION_REFLECTION_CARRYOVER)
    assert "Started FY2028's plan" in answer["text"]
    [draft] = drafts(slack.engine)
    assert draft.monthly_plan[-1] == 98_765_432_109_876
    ask = slack.ui.wait_dm_with("U0VP", draft.ref)
    counter = slack.ui.click_modal("U0VP", ask, ids.ACTION_CATCHBALL_COUNTER, ids.VIEW_COUNTER)
    values = {**prefilled(counter), ids.FIELD_REASON: "Same plan, but I want to say so."}
    # Every prefilled month is read back as exactly what is stored: the only answer is that
    # nothing changed (before, month 1 was "more than 15 significant digits").
    errors = slack.submit("U0VP", counter, values).json()["errors"]
    assert list(errors) == [ids.FIELD_TARGET] and "proposal as it stands" in errors["target"]
