"""Reading modal values: what people type, and the message when it cannot be used."""

from datetime import date

import pytest

from bot import forms, ids
from bot.errors import InvalidInput


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("14", 14.0), (" 12.5 ", 12.5), ("1,200", 1200.0), ("-3", -3.0), ("12%", 12.0), ("0", 0.0)],
)
def test_number_accepts_what_people_type(raw, expected):
    assert forms.number(raw, field="target", what="the target") == expected


@pytest.mark.parametrize("raw", ["fourteen", "1.2.3", "nan", "inf", "12 apples", "1,20"])
def test_number_refuses_with_the_field(raw):
    with pytest.raises(InvalidInput) as error:
        forms.number(raw, field="target", what="the target")
    assert error.value.field == "target"
    assert "must be a number" in error.value.message or "finite" in error.value.message


def test_missing_number_is_an_error_only_when_required():
    assert forms.number("", field="baseline", what="the baseline", required=False) is None
    with pytest.raises(InvalidInput, match="Please give the target"):
        forms.number("  ", field="target", what="the target")


def test_monthly_plan_takes_twelve_numbers_in_any_separator():
    plan = forms.monthly_plan("10.3, 10.6 10.9\n11.2;11.5 11.8 12.1 12.4 12.8 13.2 13.6 14")
    assert plan == [10.3, 10.6, 10.9, 11.2, 11.5, 11.8, 12.1, 12.4, 12.8, 13.2, 13.6, 14.0]


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("1 2 3", "this has 3"),
        ("1 2 3 4 5 6 7 8 9 10 11 x", "Value 12 (“x”) is not a number"),
        ("", "twelve monthly values"),
        (" ".join(["1"] * 13), "this has 13"),
    ],
)
def test_monthly_plan_says_what_is_wrong(raw, says):
    with pytest.raises(InvalidInput) as error:
        forms.monthly_plan(raw)
    assert says in error.value.message and error.value.field == ids.FIELD_MONTHLY_PLAN


def test_due_date_in_the_past_is_refused():
    today = date(2027, 3, 10)
    assert forms.due_date("2027-03-10", today=today) == today
    with pytest.raises(InvalidInput, match="in the past"):
        forms.due_date("2027-03-09", today=today)
    with pytest.raises(InvalidInput, match="Pick the due date"):
        forms.due_date("next week", today=today)


def test_year_span_and_year():
    assert forms.year_span("2027-2029") == (2027, 2029)
    assert forms.year_span("2027 – 2031") == (2027, 2031)
    with pytest.raises(InvalidInput, match="must not come after"):
        forms.year_span("2029-2027")
    assert forms.year("FY2028") == 2028
    with pytest.raises(InvalidInput):
        forms.year("27")


def test_required_text_limits_length():
    assert forms.required_text("  Grow ARR ", field="title", what="a title") == "Grow ARR"
    with pytest.raises(InvalidInput, match="under 200 characters"):
        forms.required_text("x" * 201, field="title", what="a title")


def test_form_gathers_every_error_at_once():
    form = forms.Form({"title": "", "target": "lots", "monthly_plan": "1 2"})
    form.take(forms.required_text, "title", what="a title")
    form.take(forms.number, "target", what="the target")
    form.take(forms.monthly_plan, "monthly_plan")
    with pytest.raises(forms.FormErrors) as error:
        form.raise_errors()
    assert set(error.value.errors) == {"title", "target", "monthly_plan"}


def test_a_clean_form_raises_nothing():
    form = forms.Form({"target": "14"})
    assert form.take(forms.number, "target", what="the target") == 14.0
    form.raise_errors()


def test_every_modal_and_its_reader_take_their_limits_from_bot_forms(monkeypatch):
    """One source: change a limit in bot/forms and every field and reader of it follows."""
    from bot.catchball import blocks as catchball_blocks
    from bot.catchball.model import ProposeContext, ProposeForm
    from bot.forms import FormErrors
    from bot.objectives import vision, vision_blocks
    from bot.objectives.admin import read_objective_form
    from bot.objectives.admin_blocks import objective_modal
    from tests.catchball.test_blocks import PROPOSAL, parent

    limits = {"METRIC_NAME_LIMIT": 9, "UNIT_LIMIT": 7, "VISION_LIMIT": 11, "VALUE_LIMIT": 5}
    for name, value in {**limits, "VALUES_MAX": 2}.items():
        monkeypatch.setattr(forms, name, value)

    def max_lengths(view: dict) -> dict:
        return {
            b["block_id"]: b["element"].get("max_length")
            for b in view["blocks"]
            if b["type"] == "input"
        }

    propose = catchball_blocks.propose_modal(
        ProposeForm(
            ProposeContext(objective_id=11), "change", parent(), "U0VP", "AN1.1", PROPOSAL, "U0MGR"
        )
    )
    for view in (objective_modal("annual", "{}"), propose):
        fields = max_lengths(view)
        assert (fields[ids.FIELD_METRIC_NAME], fields[ids.FIELD_METRIC_UNIT]) == (9, 7)
    modal = vision_blocks.vision_modal("v", [])
    assert max_lengths(modal)[ids.FIELD_VISION] == 11 and "at most 2" in str(modal)

    with pytest.raises(FormErrors) as refused:
        read_objective_form(
            {ids.FIELD_TITLE: "T", ids.FIELD_METRIC_NAME: "m" * 10, ids.FIELD_METRIC_UNIT: "u" * 8},
            level="annual",
        )[0].raise_errors()
    assert {ids.FIELD_METRIC_NAME, ids.FIELD_METRIC_UNIT} <= set(refused.value.errors)
    with pytest.raises(FormErrors) as refused:
        vision.read_vision_form({ids.FIELD_VISION: "v" * 12, ids.FIELD_VALUES: "a\nb\nc"})
    assert {ids.FIELD_VISION, ids.FIELD_VALUES} <= set(refused.value.errors)
