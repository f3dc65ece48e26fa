"""Numbers: what people type parses to a bounded number or an error; every number shown fits.

The parser is the one every modal uses (forms.number, forms.monthly_plan); the formats are the
ones every builder uses (number/with_unit for showing, the prefill of inputs for editing).
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import forms, ids, numbers
from bot.blocks.common import number, with_unit
from bot.catchball import blocks as catchball_blocks
from bot.catchball.model import ProposeContext, ProposeForm
from bot.checkin.blocks import checkin_modal
from bot.checkin.model import Answer
from bot.errors import InvalidInput
from bot.forms import FormErrors
from bot.objectives.admin_blocks import objective_modal
from bot.standin.blockkit import validate_view
from handlers.catchball import read_counter
from storage.models import Objective
from tests.catchball.test_blocks import PROPOSAL, VIEW, parent
from tests.checkin.test_blocks import form as checkin_form

BOUND = 10**15
ACTUAL_FIELD_MAX = 40  # the check-in's actual: Slack's max_length on that input

any_float = st.floats(allow_nan=True, allow_infinity=True)
# Text that looks like numbers, of every size and precision, beside any text at all.
numberish = st.from_regex(
    r"[ +\-]?\d{0,20}(,\d{3}){0,5}(\.\d{0,25})?([eE][+\-]?\d{1,5})?%?", fullmatch=True
)
field_text = (
    st.text(max_size=ACTUAL_FIELD_MAX)
    | numberish.filter(lambda s: len(s) <= ACTUAL_FIELD_MAX)
    | any_float.map(repr)
    | st.decimals().map(str).filter(lambda s: len(s) <= ACTUAL_FIELD_MAX)
)
# Decimals a person may give: at most 15 significant digits, 6 places, below the bound.
allowed = st.decimals(
    min_value=-BOUND + 1, max_value=BOUND - 1, places=6, allow_nan=False, allow_infinity=False
).filter(lambda d: len(d.normalize().as_tuple().digits) <= 15)


def bounded(value: float) -> bool:
    return math.isfinite(value) and abs(value) < BOUND


# ---- parsing --------------------------------------------------------------------------------------


@given(raw=field_text)
def test_any_text_in_the_actual_field_is_a_bounded_number_or_an_error_never_a_crash(raw):
    try:
        value = forms.number(raw, field=ids.FIELD_ACTUAL, what="the actual value")
    except InvalidInput as error:
        assert error.field == ids.FIELD_ACTUAL and error.message
        return
    assert isinstance(value, float) and bounded(value), (raw, value)


@given(parts=st.lists(field_text.filter(lambda s: s.strip()), min_size=1, max_size=13))
def test_any_monthly_plan_is_twelve_bounded_numbers_or_an_error(parts):
    try:
        plan = forms.monthly_plan(" ".join(parts))
    except InvalidInput as error:
        assert error.field == ids.FIELD_MONTHLY_PLAN and error.message
        return
    assert len(plan) == 12 and all(bounded(v) for v in plan), plan


@given(value=allowed)
def test_every_allowed_number_parses_to_what_was_typed(value):
    assert forms.number(str(value), field="t", what="the target") == float(value)
    assert forms.number(f"{value:,f}", field="t", what="the target") == float(value)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("1e308", "Too large: enter a number below 1,000,000,000,000,000"),
        ("1,000,000,000,000,000", "Too large: enter a number below 1,000,000,000,000,000"),
        ("-1e15", "Too small: enter a number above -1,000,000,000,000,000"),
        ("0.1234567", "at most 6 decimal places"),
        ("1e-300", "at most 6 decimal places"),
        ("123456789012.123456", "at most 15 significant digits"),
        ("sNaN", "must be a number"),
        ("nan", "finite"),
    ],
)
def test_out_of_range_numbers_are_refused_in_the_persons_words(raw, says):
    with pytest.raises(InvalidInput) as error:
        forms.number(raw, field=ids.FIELD_TARGET, what="the target")
    assert says in error.value.message and error.value.field == ids.FIELD_TARGET


@pytest.mark.parametrize("raw", ["999,999,999,999,999", "-999999999999999", "0.000001", "1e14"])
def test_the_edges_of_the_range_are_accepted(raw):
    assert bounded(forms.number(raw, field="t", what="the target"))


def test_a_monthly_plan_value_out_of_range_is_named_by_its_position():
    with pytest.raises(InvalidInput) as error:
        forms.monthly_plan("1 2 3 4 5 6 7 8 9 10 11 1e308")
    assert "Value 12 is too large" in error.value.message
    assert "1,000,000,000,000,000" in error.value.message


# ---- showing --------------------------------------------------------------------------------------


@given(value=any_float, unit=st.none() | st.text(max_size=20))
def test_a_number_shown_anywhere_is_short(value, unit):
    assert len(number(value)) <= 24, number(value)
    assert len(with_unit(value, unit)) <= 24 + 1 + 20


def test_a_number_beyond_the_bound_is_shown_in_scientific_notation():
    assert number(1e308) == "1e+308" and number(-2.5e20) == "-2.5e+20"
    assert number(999_999_999_999_999) == "999,999,999,999,999"


def prefills(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


def assert_fits_and_keeps(element: dict, value: float) -> None:
    text = element.get("initial_value")
    assert text is not None and element.get("max_length") is not None
    assert len(text) <= element["max_length"], (text, element["max_length"])
    if math.isfinite(value):
        assert float(text) == value  # a prefill never rounds what is stored
    if math.isfinite(value) and numbers.refusal(numbers.decimal_of(value)) is None:
        # ... and a number a person could have typed parses back to the very same number.
        assert forms.number(text, field="t", what="the target") == value


@given(value=any_float)
def test_the_check_in_prefill_of_any_stored_actual_fits_and_keeps_it(value):
    form = checkin_form(
        existing=Answer(value, "on_track"), previous=Answer(value, "at_risk"), target=value
    )
    view = checkin_modal(replace(form, plan=value))
    assert validate_view(view, expected_type="modal") == []
    assert_fits_and_keeps(prefills(view)[ids.FIELD_ACTUAL], value)


@given(value=any_float)
def test_the_objective_modal_prefill_of_any_stored_number_fits_and_keeps_it(value):
    objective = Objective(
        id=3, workspace_id=1, ref="AN1", level="annual", title="Grow", owner_id=1, year=2027
    )
    objective.target, objective.baseline, objective.monthly_plan = value, value, [value] * 12
    view = objective_modal("annual", "{}", objective=objective, owner_slack_id="U0VP")
    assert validate_view(view, expected_type="modal") == []
    elements = prefills(view)
    assert_fits_and_keeps(elements[ids.FIELD_TARGET], value)
    assert_fits_and_keeps(elements[ids.FIELD_BASELINE], value)
    plan = elements[ids.FIELD_MONTHLY_PLAN]
    assert len(plan["initial_value"]) <= plan["max_length"]
    if math.isfinite(value):
        assert [float(v) for v in plan["initial_value"].split()] == [value] * 12


@given(value=any_float)
def test_the_catchball_modals_prefill_any_stored_number_fitting_and_keeping_it(value):
    proposal = replace(PROPOSAL, baseline=value, target=value, monthly_plan=(value,) * 12)
    counter = catchball_blocks.counter_modal(replace(VIEW, proposal=proposal))
    assert validate_view(counter, expected_type="modal") == []
    assert_fits_and_keeps(prefills(counter)[ids.FIELD_TARGET], value)
    form = ProposeForm(
        ProposeContext(objective_id=11), "change", parent(), "U0VP", "AN1.1", proposal, "U0MGR"
    )
    propose = catchball_blocks.propose_modal(form)
    assert validate_view(propose, expected_type="modal") == []
    assert_fits_and_keeps(prefills(propose)[ids.FIELD_TARGET], value)
    assert_fits_and_keeps(prefills(propose)[ids.FIELD_BASELINE], value)


def test_the_counter_modal_refuses_an_out_of_range_target_under_its_field():
    values = {
        ids.FIELD_TITLE: "Open the Nordic market",
        ids.FIELD_TARGET: "1e308",
        ids.FIELD_MONTHLY_PLAN: "1 2 3 4 5 6 7 8 9 10 11 -1e20",
        ids.FIELD_REASON: "Too ambitious",
    }
    with pytest.raises(FormErrors) as error:
        read_counter(values, PROPOSAL)
    assert set(error.value.errors) == {ids.FIELD_TARGET, ids.FIELD_MONTHLY_PLAN}
    assert error.value.errors[ids.FIELD_TARGET].startswith("Too large: enter a number below")
    assert "Value 12 is too small" in error.value.errors[ids.FIELD_MONTHLY_PLAN]


@given(value=st.floats(min_value=-(10**15) + 1, max_value=10**15 - 1))
def test_representable_makes_any_float_in_range_one_a_modal_takes_back(value):
    kept = numbers.representable(value)
    assert numbers.refusal(numbers.decimal_of(numbers.plain(kept))) is None
    assert abs(kept - value) <= max(abs(value) * 1e-14, 1e-6)


def test_representable_keeps_numbers_that_are_already_allowed():
    for value in (0.0, 14.5, -3.0, 0.000015, 98765432109876.0, 123456789.123456):
        assert numbers.representable(value) == value
    assert numbers.representable(8230452675834.0917) == 8230452675834.09
    assert numbers.representable(1.23456789) == 1.234568
