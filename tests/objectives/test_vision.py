"""True North's builders and the reading of the vision modal."""

from __future__ import annotations

import pytest

from bot import ids
from bot.errors import InvalidInput
from bot.objectives.vision import read_vision_form
from bot.objectives.vision_blocks import vision_message, vision_modal
from bot.standin.blockkit import validate_message_blocks, validate_view

HUGE_VISION = "Be the partner customers trust, everywhere. " * 120  # ~5,300 characters
MANY_VALUES = [f"Value {i} " + "v" * 140 for i in range(20)]


@pytest.mark.parametrize(
    ("vision", "values"), [(None, []), ("North", ["A"]), (HUGE_VISION, MANY_VALUES)]
)
@pytest.mark.parametrize("can_edit", [True, False])
def test_vision_message_is_valid_at_any_size(vision, values, can_edit):
    message = vision_message(vision, values, can_edit=can_edit)
    assert validate_message_blocks(message.blocks) == []
    edit = [b for b in message.blocks if b["type"] == "actions"]
    assert bool(edit) is can_edit
    if can_edit:
        assert edit[0]["elements"][0]["action_id"] == ids.ACTION_HOME_EDIT_VISION
    assert message.text


@pytest.mark.parametrize(
    ("vision", "values"), [(None, []), ("North", ["A", "B"]), (HUGE_VISION, MANY_VALUES)]
)
def test_vision_modal_is_valid_and_prefilled(vision, values):
    modal = vision_modal(vision, values)
    assert validate_view(modal, expected_type="modal") == []
    assert modal["callback_id"] == ids.VIEW_VISION
    fields = {b["block_id"]: b["element"] for b in modal["blocks"]}
    if vision:
        assert vision.startswith(fields[ids.FIELD_VISION]["initial_value"].rstrip("…"))
        assert fields[ids.FIELD_VALUES]["initial_value"].split("\n")[0] == values[0]
    hint = next(b for b in modal["blocks"] if b["block_id"] == ids.FIELD_VISION)["hint"]["text"]
    assert ("shortened" in hint) is (vision is HUGE_VISION)


def test_values_are_read_one_per_line_without_bullets_or_repeats():
    vision, values = read_vision_form(
        {ids.FIELD_VISION: "  North  ", ids.FIELD_VALUES: "• Candour\n\n- Care\ncandour\n  Grit "}
    )
    assert (vision, values) == ("North", ["Candour", "Care", "Grit"])


def test_every_problem_of_the_vision_form_is_reported():
    with pytest.raises(InvalidInput) as caught:
        read_vision_form({ids.FIELD_VISION: "", ids.FIELD_VALUES: "x" * 151})
    assert set(caught.value.errors) == {ids.FIELD_VISION, ids.FIELD_VALUES}
    assert "under 150 characters" in caught.value.errors[ids.FIELD_VALUES]
