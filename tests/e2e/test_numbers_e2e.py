"""Numbers people and plan files give the bot are bounded; every number shown fits its field.

Signed requests to the running app; the stand-in refuses a view whose prefill is longer than its
field (as Slack does), so a modal that opens is a modal Slack would have opened.
"""

from __future__ import annotations

import json
import re

import yaml
from sqlmodel import Session

from bot import ids
from bot.standin.blockkit import validate_view
from storage.models import CheckIn, Objective
from tests.e2e import test_catchball_e2e as catchball
from tests.e2e.seed import small_plan
from tests.e2e.test_checkin_e2e import (
    ANSWER,
    check_in_row,
    open_modal,
    setup_month,
    text_of,
    wait_thread,
)
from tests.e2e.test_home_e2e import add_people
from tests.e2e.test_objective_admin_e2e import (
    annual_values,
    audits,
    objective,
    objective_count,
)
from tests.e2e.test_objective_admin_e2e import (
    open_modal as open_admin_modal,
)
from tests.test_cli import EXAMPLE, hoshin

LEGACY = 1e308  # what the bot accepted before numbers were bounded
LONG_DIGITS = re.compile(r"\d[\d,]{24,}")  # no number shown anywhere runs to 25 digits


def inputs(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


def assert_prefill_fits(element: dict) -> str:
    value = element.get("initial_value") or ""
    assert element.get("max_length") is not None, element
    assert len(value) <= element["max_length"], (len(value), element["max_length"])
    return value


# ---- the check-in ---------------------------------------------------------------------------------


def test_a_huge_actual_is_refused_inline_and_nothing_is_stored(slack):
    refs = setup_month(slack)
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    for huge in ("1e308", "1" + "0" * 39, "-1e15", "1,000,000,000,000,000"):
        ack = slack.submit("U0MGR", view, {**ANSWER, ids.FIELD_ACTUAL: huge}).json()
        assert ack["response_action"] == "errors", huge
        assert set(ack["errors"]) == {ids.FIELD_ACTUAL}
        assert "1,000,000,000,000,000" in ack["errors"][ids.FIELD_ACTUAL], ack
    ack = slack.submit("U0MGR", view, {**ANSWER, ids.FIELD_ACTUAL: "0.1234567"}).json()
    assert "at most 6 decimal places" in ack["errors"][ids.FIELD_ACTUAL]
    assert check_in_row(slack.engine, refs["AN1.1"]) is None


def test_the_largest_allowed_actual_is_stored_and_prefilled_as_typed(slack):
    refs = setup_month(slack)
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    answer = {**ANSWER, ids.FIELD_ACTUAL: "-999,999,999,999,999"}
    assert slack.submit("U0MGR", view, answer).json() is None
    assert check_in_row(slack.engine, refs["AN1.1"]).actual == -999_999_999_999_999

    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    assert assert_prefill_fits(inputs(view)[ids.FIELD_ACTUAL]) == "-999999999999999"
    assert slack.submit("U0MGR", view, {**ANSWER, ids.FIELD_ACTUAL: "0.000001"}).json() is None
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    assert inputs(view)[ids.FIELD_ACTUAL]["initial_value"] == "0.000001"


def test_a_month_holding_a_stored_huge_actual_still_opens_with_a_fitting_prefill(slack):
    refs = setup_month(slack)
    # Rows written before the bound: an actual, the target and the plan far beyond it.
    with Session(slack.engine) as session:
        row = check_in_row(slack.engine, refs["AN1.1"], "2027-05")
        row = session.get(CheckIn, row.id)
        row.actual = LEGACY
        an11 = session.get(Objective, refs["AN1.1"])
        an11.target = -LEGACY
        an11.baseline = 5e-324
        an11.monthly_plan = [LEGACY] * 12
        session.add_all([row, an11])
        session.commit()

    view = open_modal(slack, "U0MGR", refs["AN1.1"], period="2027-05")  # the stand-in took it
    assert validate_view(view, expected_type="modal") == []
    prefill = assert_prefill_fits(inputs(view)[ids.FIELD_ACTUAL])
    assert float(prefill) == LEGACY  # shown in scientific notation, the value kept exactly
    shown = json.dumps(view)
    assert "1e+308" in shown and not LONG_DIGITS.search(shown), LONG_DIGITS.search(shown)

    # June shows May's huge actual as "last month" and still opens; its answer reaches the
    # review thread, whose lines show the huge plan and actual short.
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    assert not LONG_DIGITS.search(json.dumps(view))
    assert slack.submit("U0MGR", view, ANSWER).json() is None
    parent, replies = wait_thread(slack, 1)
    shown = text_of(parent) + "".join(text_of(r) for r in replies)
    assert "Standard contract by July" in shown and not LONG_DIGITS.search(shown)
    # Saving the legacy month again with a bounded value replaces the huge one.
    view = open_modal(slack, "U0MGR", refs["AN1.1"], period="2027-05")
    assert slack.submit("U0MGR", view, {**ANSWER, ids.FIELD_ACTUAL: "13"}).json() is None
    assert check_in_row(slack.engine, refs["AN1.1"], "2027-05").actual == 13


# ---- the admins' objective modal ------------------------------------------------------------------


def test_the_objective_modal_refuses_out_of_range_numbers_and_stores_nothing(slack):
    small_plan(slack.engine)
    add_people(slack)
    count = objective_count(slack.engine)
    modal = open_admin_modal(slack, "U0CEO", "new annual")
    for field in (ids.FIELD_TARGET, ids.FIELD_BASELINE):
        assert_prefill_fits(inputs(modal)[field])
    bt1 = objective(slack.engine, "BT1")
    bad = annual_values(
        bt1.id,
        **{
            ids.FIELD_TARGET: "1e308",
            ids.FIELD_BASELINE: "-2e15",
            ids.FIELD_MONTHLY_PLAN: "0 0 0 1 1 1 2 2 2 3 3 1e16",
        },
    )
    errors = slack.submit("U0CEO", modal, bad).json()["errors"]
    assert set(errors) == {ids.FIELD_TARGET, ids.FIELD_BASELINE, ids.FIELD_MONTHLY_PLAN}
    assert "Too large" in errors[ids.FIELD_TARGET]
    assert "1,000,000,000,000,000" in errors[ids.FIELD_TARGET]
    assert "Too small" in errors[ids.FIELD_BASELINE]
    assert "Value 12" in errors[ids.FIELD_MONTHLY_PLAN]
    assert "1,000,000,000,000,000" in errors[ids.FIELD_MONTHLY_PLAN]
    assert objective_count(slack.engine) == count
    assert audits(slack.engine, "objective.create") == []


def test_editing_an_objective_with_stored_huge_numbers_opens_with_fitting_prefills(slack):
    small_plan(slack.engine)
    add_people(slack)
    with Session(slack.engine) as session:
        an1 = session.get(Objective, objective(slack.engine, "AN1").id)
        an1.target, an1.baseline = LEGACY, -1.2345678901234567e-300
        an1.monthly_plan = [-LEGACY] * 12
        session.add(an1)
        session.commit()
    modal = open_admin_modal(slack, "U0CEO", "edit an1")  # validated, and the stand-in took it
    elements = inputs(modal)
    assert float(assert_prefill_fits(elements[ids.FIELD_TARGET])) == LEGACY
    assert float(assert_prefill_fits(elements[ids.FIELD_BASELINE])) == -1.2345678901234567e-300
    plan = assert_prefill_fits(elements[ids.FIELD_MONTHLY_PLAN]).split()
    assert [float(v) for v in plan] == [-LEGACY] * 12
    assert not LONG_DIGITS.search(json.dumps(modal))


def test_editing_an_objective_whose_stored_text_is_longer_than_its_fields_opens(slack):
    # Text stored before the plan file kept the modals' limits: the edit modal must still open.
    small_plan(slack.engine)
    add_people(slack)
    with Session(slack.engine) as session:
        an1 = session.get(Objective, objective(slack.engine, "AN1").id)
        an1.title, an1.metric_name, an1.metric_unit = "T" * 500, "M" * 300, "U" * 50
        session.add(an1)
        session.commit()
    modal = open_admin_modal(slack, "U0CEO", "edit an1")  # validated, and the stand-in took it
    elements = inputs(modal)
    assert assert_prefill_fits(elements[ids.FIELD_TITLE]).startswith("T" * 150)
    assert assert_prefill_fits(elements[ids.FIELD_METRIC_NAME]).startswith("M" * 100)
    assert assert_prefill_fits(elements[ids.FIELD_METRIC_UNIT]).startswith("U" * 10)


# ---- the plan file --------------------------------------------------------------------------------


def test_plan_import_refuses_an_out_of_range_target_by_its_place(tmp_path, database_url):
    env = {"DATABASE_URL": database_url}
    plan = yaml.safe_load(EXAMPLE.read_text())
    annual = plan["breakthroughs"][0]["annual"]
    annual[0]["metric"]["target"] = 1e308
    annual[1]["monthly_plan"] = [1] * 11 + [10**20]
    annual[2]["metric"]["baseline"] = 0.1234567
    bad = tmp_path / "huge.yaml"
    bad.write_text(yaml.safe_dump(plan, sort_keys=False))
    result = hoshin("plan", "import", str(bad), env=env, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "nothing was imported" in result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    target = next(x for x in lines if "breakthroughs[0].annual[0].metric.target" in x)
    assert "too large" in target and "1,000,000,000,000,000" in target and "(line " in target
    plan_line = next(x for x in lines if "breakthroughs[0].annual[1].monthly_plan[11]" in x)
    assert "too large" in plan_line
    baseline = next(x for x in lines if "breakthroughs[0].annual[2].metric.baseline" in x)
    assert "at most 6 decimal places" in baseline


# ---- catchball ------------------------------------------------------------------------------------


def test_a_proposal_with_out_of_range_numbers_is_refused_inline(slack):
    catchball.setup(slack)
    view = catchball.command_modal(slack, "U0VP", "propose AN1")
    for field in (ids.FIELD_BASELINE, ids.FIELD_TARGET, ids.FIELD_MONTHLY_PLAN):
        assert_prefill_fits(inputs(view)[field])
    bad = {
        **catchball.NORDICS,
        ids.FIELD_BASELINE: "1e308",
        ids.FIELD_TARGET: "2.0000001",
        ids.FIELD_MONTHLY_PLAN: "0.1 0.2 0.3 0.4 0.6 0.8 1.0 1.2 1.4 1.6 1.8 -1e300",
    }
    errors = slack.submit("U0VP", view, bad).json()["errors"]
    assert set(errors) == {ids.FIELD_BASELINE, ids.FIELD_TARGET, ids.FIELD_MONTHLY_PLAN}
    assert errors[ids.FIELD_BASELINE].startswith("Too large: enter a number below 1,000,000,")
    assert "at most 6 decimal places" in errors[ids.FIELD_TARGET]
    assert "Value 12 is too small" in errors[ids.FIELD_MONTHLY_PLAN]
    assert catchball.objective(slack, "AN1.2") is None and not catchball.decisions(slack)
