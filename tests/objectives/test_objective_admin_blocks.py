"""The admins' objective modals and the archive confirmation, against Slack's limits."""

from __future__ import annotations

import pytest

from bot import ids
from bot.objectives.admin import ObjectiveDraft
from bot.objectives.admin_blocks import archive_confirmation, archived_modal, objective_modal
from bot.standin.blockkit import validate_message_blocks, validate_view
from handlers.objectives.admin import parse_new_args
from storage.models import Objective


def breakthroughs(n: int) -> list[Objective]:
    return [
        Objective(
            id=i + 1,
            workspace_id=1,
            ref=f"BT{i + 1}",
            level="breakthrough",
            title="A very long breakthrough title " * 5,
            start_year=2027,
            end_year=2029,
        )
        for i in range(n)
    ]


def annual(**fields) -> Objective:
    values = dict(
        id=500,
        workspace_id=1,
        ref="AN1",
        level="annual",
        title="Grow ARR",
        year=2027,
        parent_id=1,
        metric_name="ARR",
        metric_unit="M$",
        baseline=10,
        target=14,
        monthly_plan=[10.5 + i for i in range(12)],
    )
    return Objective(**{**values, **fields})


def inputs(modal: dict) -> dict[str, dict]:
    return {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}


@pytest.mark.parametrize("count", [0, 1, 100, 150])
def test_new_annual_modal_offers_at_most_100_breakthroughs(count):
    meta = ObjectiveDraft(level="annual").dump()
    modal = objective_modal("annual", meta, breakthroughs=breakthroughs(count), year=2027)
    assert validate_view(modal, expected_type="modal") == []
    assert modal["private_metadata"] == meta and modal["submit"]["text"] == "Create"
    fields = inputs(modal)
    assert fields[ids.FIELD_YEAR]["initial_value"] == "2027"
    assert ids.FIELD_MONTHLY_PLAN in fields
    if count:
        assert len(fields[ids.FIELD_PARENT]["options"]) == min(count, 100)
    else:
        assert ids.FIELD_PARENT not in fields


def test_new_annual_modal_preselects_the_parent():
    modal = objective_modal("annual", "{}", breakthroughs=breakthroughs(3), year=2028, parent_id=2)
    assert inputs(modal)[ids.FIELD_PARENT]["initial_option"]["value"] == "2"


def test_new_breakthrough_modal_asks_for_years_and_an_optional_metric():
    modal = objective_modal("breakthrough", "{}", year=2027)
    assert validate_view(modal, expected_type="modal") == []
    fields = inputs(modal)
    assert fields[ids.FIELD_YEARS]["placeholder"]["text"] == "2027-2029"
    assert ids.FIELD_MONTHLY_PLAN not in fields and ids.FIELD_YEAR not in fields
    metric = next(b for b in modal["blocks"] if b.get("block_id") == ids.FIELD_TARGET)
    assert metric["optional"] is True


def test_edit_modal_is_prefilled_and_offers_archive():
    objective = annual()
    modal = objective_modal(
        "annual",
        ObjectiveDraft(level="annual", objective_id=500).dump(),
        objective=objective,
        owner_slack_id="U0VP",
        breakthroughs=breakthroughs(2),
        year=2027,
        parent_id=1,
    )
    assert validate_view(modal, expected_type="modal") == []
    assert modal["title"]["text"] == "Edit AN1" and modal["submit"]["text"] == "Save"
    fields = inputs(modal)
    assert fields[ids.FIELD_OWNER]["initial_user"] == "U0VP"
    assert fields[ids.FIELD_TARGET]["initial_value"] == "14"
    assert fields[ids.FIELD_MONTHLY_PLAN]["initial_value"].split()[0] == "10.5"
    archive = next(b for b in modal["blocks"] if b.get("block_id") == ids.BLOCK_OBJECTIVE_ARCHIVE)
    assert archive["elements"][0]["action_id"] == ids.ACTION_OBJECTIVE_ARCHIVE
    assert archive["elements"][0]["confirm"]["title"]["text"] == "Archive AN1?"


def test_a_5000_character_description_is_shown_not_cut_into_a_field():
    objective = annual(description="d" * 5000, title="T" * 200, ref="AN" + "9" * 60)
    modal = objective_modal("annual", "{}", objective=objective, breakthroughs=[], year=2027)
    assert validate_view(modal, expected_type="modal") == []
    assert ids.FIELD_DESCRIPTION not in inputs(modal)
    short = objective_modal(
        "annual", "{}", objective=annual(description="short"), breakthroughs=[], year=2027
    )
    assert inputs(short)[ids.FIELD_DESCRIPTION]["initial_value"] == "short"


def test_archive_confirmation_and_notice_fit_at_any_size():
    below = [annual(id=600 + i, ref=f"AN1.{i}", level="cascaded") for i in range(200)]
    message = archive_confirmation(annual(title="T" * 5000), below)
    assert validate_message_blocks(message.blocks) == []
    assert "and 180 more" in message.blocks[0]["text"]["text"]
    notice = archived_modal("AN" + "1" * 60, [f"AN1.{i}" for i in range(200)])
    assert validate_view(notice, expected_type="modal") == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("breakthrough", ("breakthrough", None)),
        ("BT", ("breakthrough", None)),
        ("annual", ("annual", None)),
        ("annual BT2", ("annual", "BT2")),
    ],
)
def test_new_subcommand_words(args, expected):
    assert parse_new_args(args) == expected


@pytest.mark.parametrize("args", ["", "objective", "breakthrough BT1", "annual BT1 BT2"])
def test_new_subcommand_explains_itself(args):
    with pytest.raises(Exception, match="/hoshin new breakthrough"):
        parse_new_args(args)
