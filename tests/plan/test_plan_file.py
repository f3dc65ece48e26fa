"""The plan file's validation: the example parses, and every problem is named by its place."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import HoshinError
from bot.plan.file import ActionStateName, ObjectiveStateName, PlanFile, PlanFileError, parse_plan
from storage.models import ActionState, ObjectiveState

EXAMPLE = Path(__file__).parents[2] / "bot" / "examples" / "acme-2027.yaml"
AN = "breakthroughs[0].annual[0]"

BASE: dict[str, Any] = {
    "workspace": "T0TEST",
    "settings": {"review_channel": "C0REVIEW", "timezone": "Europe/Berlin"},
    "people": [
        {"id": "U0CEO", "name": "Dana", "admin": True},
        {"id": "U0VP", "name": "Ana", "manager": "U0CEO"},
        {"id": "U0MGR", "name": "Mo", "manager": "U0VP"},
    ],
    "breakthroughs": [
        {
            "ref": "BT1",
            "title": "Lead the market",
            "years": [2027, 2029],
            "owner": "U0CEO",
            "annual": [
                {
                    "ref": "AN1",
                    "year": 2027,
                    "title": "Grow ARR",
                    "owner": "U0VP",
                    "metric": {"name": "ARR", "unit": "M$", "baseline": 10, "target": 14},
                    "monthly_plan": [
                        10.3,
                        10.6,
                        10.9,
                        11.2,
                        11.5,
                        11.8,
                        12.1,
                        12.4,
                        12.8,
                        13.2,
                        13.6,
                        14,
                    ],
                    "children": [
                        {
                            "ref": "AN1.1",
                            "title": "EMEA",
                            "owner": "U0MGR",
                            "actions": [{"title": "Hire", "owner": "U0MGR", "due": "2027-03-31"}],
                        }
                    ],
                }
            ],
        }
    ],
}


def problems(data: Any) -> dict[str, str]:
    """place -> message of every problem in `data` (a dict dumped to YAML, or YAML text)."""
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    with pytest.raises(PlanFileError) as caught:
        parse_plan(text)
    return {problem.place: problem.message for problem in caught.value.details}


def changed(**paths: Any) -> dict[str, Any]:
    """BASE with values replaced; a path is written with __ for . and _N_ for [N]."""
    data = copy.deepcopy(BASE)
    for path, value in paths.items():
        here: Any = data
        parts = [int(p) if p.isdigit() else p for p in path.split("__")]
        for part in parts[:-1]:
            here = here[part]
        here[parts[-1]] = value
    return data


def test_the_example_parses_into_a_believable_plan():
    plan = parse_plan(EXAMPLE.read_text())
    assert plan.workspace == "T0ACME"
    assert plan.settings.review_channel == "C0HOSHIN"
    assert plan.settings.leadership_channel == "C0LEADERS"
    assert 20 <= len(plan.people) <= 30
    assert {p.timezone for p in plan.people} >= {None, "America/New_York", "Asia/Tokyo"}
    assert len(plan.breakthroughs) == 3
    assert all(bt.years == [2027, 2029] for bt in plan.breakthroughs)
    annual = [an for bt in plan.breakthroughs for an in bt.annual]
    assert 8 <= len(annual) <= 12 and {an.year for an in annual} == {2027}

    def depth(obj) -> int:
        return 1 + max((depth(child) for child in obj.children), default=0)

    assert max(depth(an) for an in annual) >= 4  # annual -> department -> team -> person
    assert any(an.metric and not an.metric.higher_is_better for an in annual)
    actions = [a for an in annual for a in _all_actions(an)]
    assert len(actions) >= 10 and all(a.due and a.due.year == 2027 for a in actions)
    assert all(len(o.monthly_plan) == 12 for an in annual for o in _all(an) if o.monthly_plan)


def _all(obj):
    yield obj
    for child in obj.children:
        yield from _all(child)


def _all_actions(obj):
    for node in _all(obj):
        yield from node.actions


def test_a_child_without_a_year_takes_its_parents():
    plan = parse_plan(yaml.safe_dump(BASE))
    assert plan.breakthroughs[0].annual[0].children[0].year == 2027


@pytest.mark.parametrize(
    ("data", "place", "says"),
    [
        (
            changed(breakthroughs__0__annual__0__metric__target="abc"),
            f"{AN}.metric.target",
            "not a number (got 'abc')",
        ),
        (
            changed(breakthroughs__0__annual__0__metric__baseline=True),
            f"{AN}.metric.baseline",
            "not a number (got true)",
        ),
        (changed(breakthroughs__0__annual__0__title=2027), f"{AN}.title", "put it in quotes"),
        (
            changed(people=[{"id": "U0CEO", "name": "Dana"}, "Ana"]),
            "people[1]",
            "expected a block of key: value pairs",
        ),
        (changed(breakthroughs__0__annual__0__titel="x"), f"{AN}.titel", "did you mean 'title'?"),
        (changed(settings={"colour": "red"}), "settings.colour", "allowed here: review_channel"),
        (
            changed(breakthroughs__0__actions=[]),
            "breakthroughs[0].actions",
            "actions belong on annual and cascaded objectives",
        ),
        (
            changed(breakthroughs__0__annual__0__owner="U0NOBODY"),
            f"{AN}.owner",
            "U0NOBODY is not in people",
        ),
        (changed(people__1__manager="U0GONE"), "people[1].manager", "U0GONE is not in people"),
        (changed(people__2__id="U0VP"), "people[2].id", "U0VP is listed twice (also people[1])"),
        (
            changed(breakthroughs__0__annual__0__children__0__ref="BT1"),
            f"{AN}.children[0].ref",
            "BT1 is already the ref of breakthroughs[0]",
        ),
        (
            changed(people__0__manager="U0MGR"),
            "people[0].manager",
            "the manager chain loops (U0CEO -> U0MGR -> U0VP -> U0CEO)",
        ),
        (changed(people__0__manager="U0CEO"), "people[0].manager", "loops (U0CEO -> U0CEO)"),
        (
            changed(breakthroughs__0__years=[2029, 2027]),
            "breakthroughs[0].years",
            "expected [first year, last year]",
        ),
        (changed(breakthroughs__0__years=[2027]), "breakthroughs[0].years", "is [2027]; expected"),
        (
            changed(breakthroughs__0__annual__0__year=2030),
            f"{AN}.year",
            "2030 is outside its breakthrough's years 2027–2029",
        ),
        (
            changed(breakthroughs__0__annual__0__children__0__year=2028),
            f"{AN}.children[0].year",
            "is 2028 but its parent's is 2027",
        ),
        (
            changed(breakthroughs__0__annual__0__monthly_plan=[1] * 11),
            f"{AN}.monthly_plan",
            "has 11 values; expected exactly 12 numbers",
        ),
        (
            changed(breakthroughs__0__annual__0__monthly_plan=[1, 2, 3, "x"] + [1] * 8),
            f"{AN}.monthly_plan[3]",
            "not a number (got 'x')",
        ),
        (
            changed(settings__timezone="Europe/Berln"),
            "settings.timezone",
            "did you mean 'Europe/Berlin'?",
        ),
        (changed(people__0__timezone="CET+1"), "people[0].timezone", "not a time zone"),
        (
            changed(settings__language="de"),
            "settings.language",
            "'de' is not a language Hoshin Bot speaks; expected en (English), ru (Russian) or ja",
        ),
        (
            changed(settings__fiscal_year_start_month=13),
            "settings.fiscal_year_start_month",
            "expected a month from 1 (January) to 12 (December)",
        ),
        (
            changed(breakthroughs__0__annual__0__children__0__actions__0__due="2027-02-30"),
            f"{AN}.children[0].actions[0].due",
            "'2027-02-30' is not a valid date; expected YYYY-MM-DD",
        ),
        (changed(workspace="Acme"), "workspace", "does not look like a Slack workspace (team) id"),
        (changed(breakthroughs__0__annual__0__ref="AN 1"), f"{AN}.ref", "is not a usable ref"),
        (changed(settings__checkin_time="25:00"), "settings.checkin_time", "HH:MM"),
        (
            changed(breakthroughs__0__annual__0__metric__target=1e308),
            f"{AN}.metric.target",
            "1e+308 is too large; expected a number below 1,000,000,000,000,000",
        ),
        (
            changed(breakthroughs__0__annual__0__metric__baseline=-(10**400)),
            f"{AN}.metric.baseline",
            "is too small; expected a number above -1,000,000,000,000,000",
        ),
        (
            changed(breakthroughs__0__annual__0__monthly_plan=[1] * 11 + ["1e16"]),
            f"{AN}.monthly_plan[11]",
            "too large",
        ),
        (
            changed(breakthroughs__0__annual__0__metric__target=0.1234567),
            f"{AN}.metric.target",
            "has more than 6 decimal places",
        ),
        # Text as long as the modal that edits it allows, so every objective can be edited.
        (
            changed(breakthroughs__0__annual__0__title="x" * 201),
            f"{AN}.title",
            "is 201 characters long; at most 200 (what the Title field of the modals holds)",
        ),
        (
            changed(breakthroughs__0__annual__0__metric__name="m" * 121),
            f"{AN}.metric.name",
            "at most 120",
        ),
        (
            changed(breakthroughs__0__annual__0__metric__unit="u" * 21),
            f"{AN}.metric.unit",
            "at most 20",
        ),
        (
            changed(breakthroughs__0__annual__0__description="d" * 10_001),
            f"{AN}.description",
            "at most 10,000",
        ),
        (
            changed(breakthroughs__0__annual__0__children__0__actions__0__title="a" * 201),
            f"{AN}.children[0].actions[0].title",
            "at most 200",
        ),
        (changed(people__0__name="n" * 201), "people[0].name", "at most 200"),
        (changed(vision="v" * 3001), "vision", "at most 3,000"),
        (changed(values=["v" * 151]), "values[0]", "at most 150"),
        (changed(values=[f"value {i}" for i in range(21)]), "values", "at most 20 values"),
    ],
)
def test_each_problem_is_named_by_its_place(data, place, says):
    found = problems(data)
    assert place in found, found
    assert says in found[place]


def test_missing_required_fields_are_named():
    data = changed()
    del data["breakthroughs"][0]["annual"][0]["title"]
    del data["people"]
    found = problems(data)
    assert found[f"{AN}.title"] == "is required but missing"
    assert found["people"] == "is required but missing"


def test_yaml_syntax_errors_give_the_line():
    found = problems("workspace: T0TEST\npeople:\n  - {id: U0A, name: [Ana}\n")
    (place,) = found
    assert place.startswith("line 3, column ")
    assert "not valid YAML" in found[place]


def test_an_unquoted_impossible_date_is_a_located_problem_not_a_crash():
    text = yaml.safe_dump(BASE, sort_keys=False).replace("'2027-03-31'", "2027-02-30")
    assert f"{AN}.children[0].actions[0].due" in problems(text)


def test_a_key_given_twice_is_a_problem_with_both_lines():
    text = "workspace: T0TEST\npeople: []\nworkspace: T0OTHER\n"
    with pytest.raises(PlanFileError) as caught:
        parse_plan(text)
    error = caught.value
    assert error.problems == [
        "workspace: is given twice in one block (first on line 1); keep only one (line 3)"
    ]


def test_anchors_and_merge_keys_work_as_in_yaml():
    text = (
        "workspace: T0TEST\n"
        "people:\n"
        "  - &dana {id: U0CEO, name: Dana, admin: true}\n"
        "  - {<<: *dana, id: U0VP, admin: false, manager: U0CEO}\n"
        "  - <<: [*dana]\n"
        "    id: U0MGR\n"
    )
    plan = parse_plan(text)
    assert [(p.id, p.name, p.admin, p.manager) for p in plan.people] == [
        ("U0CEO", "Dana", True, None),
        ("U0VP", "Dana", False, "U0CEO"),
        ("U0MGR", "Dana", True, None),
    ]


def test_a_nested_key_given_twice_is_named_by_its_place():
    text = "workspace: T0TEST\npeople:\n  - id: U0A\n    name: Ana\n    name: Anna\n"
    with pytest.raises(PlanFileError) as caught:
        parse_plan(text)
    assert caught.value.problems == [
        "people[0].name: is given twice in one block (first on line 4); keep only one (line 5)"
    ]


def test_ten_thirty_stays_a_time_not_the_sexagesimal_number_630():
    plan = parse_plan(
        yaml.safe_dump(BASE).replace("settings:\n", "settings:\n  checkin_time: 10:30\n")
    )
    assert plan.settings.checkin_time == "10:30"


@pytest.mark.parametrize(
    ("text", "says"),
    [("", "is empty"), ("- a\n- b\n", "expected key: value pairs at the top"), ("7", "got 7")],
)
def test_a_file_that_is_not_a_plan_says_so(text, says):
    found = problems(text)
    assert says in found["(file)"]


def test_every_problem_is_listed_at_once_in_file_order_with_lines():
    data = changed(
        settings__timezone="Mars/Olympus",
        people__1__manager="U0GONE",
        breakthroughs__0__annual__0__metric__target="abc",
        breakthroughs__0__annual__0__owner="U0NOBODY",
        breakthroughs__0__annual__0__monthly_plan=[1, 2],
    )
    with pytest.raises(PlanFileError) as caught:
        parse_plan(yaml.safe_dump(data, sort_keys=False))
    error = caught.value
    assert [p.place for p in error.details] == [
        "settings.timezone",
        "people[1].manager",
        f"{AN}.owner",
        f"{AN}.metric.target",
        f"{AN}.monthly_plan",
    ]
    assert all(p.line for p in error.details)
    assert error.problems[0].startswith("settings.timezone: 'Mars/Olympus' is not a time zone")
    assert "5 problems" in error.message and all(p in error.message for p in error.problems)
    assert isinstance(error, HoshinError)
    # Every message is ours: no pydantic jargon reaches a person fixing a spreadsheet.
    assert not any("Input should" in p or "Value error" in p for p in error.problems)


# --- never another exception --------------------------------------------------------------------

KEYS = [
    "workspace",
    "settings",
    "people",
    "breakthroughs",
    "annual",
    "children",
    "actions",
    "ref",
    "title",
    "owner",
    "id",
    "name",
    "manager",
    "year",
    "years",
    "metric",
    "target",
    "monthly_plan",
    "due",
    "timezone",
    "<<",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3000, 3000),
    st.floats(allow_nan=True),
    st.sampled_from(["U0CEO", "T0X", "BT1", "2027-02-30", "10:30", "Europe/Berlin", "", "~"]),
    st.text(max_size=8),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)
    ),
    max_leaves=15,
)
SNIPPETS = [
    "workspace: T0A\n",
    "people:\n",
    "  - {id: U0A, name: A}\n",
    "- ",
    ": ",
    "&a ",
    "*a",
    "[",
    "]",
    "{",
    "}",
    "\t",
    "!!str ",
    "!!timestamp 2027-02-30",
    "<<: *a\n",
    "'",
    '"',
    "\n  ",
    "2027-13-01",
    "years: [2029, 2027]\n",
    "!!python/name:os.system",
    "\x00",
]


def _outcome(text: str) -> None:
    try:
        assert isinstance(parse_plan(text), PlanFile)
    except PlanFileError as error:
        assert error.problems and all(isinstance(p, str) for p in error.problems)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=6))
def test_any_structure_gives_a_plan_or_a_plan_file_error(data):
    _outcome(yaml.safe_dump(data))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(SNIPPETS) | st.text(max_size=5), max_size=12))
def test_any_yaml_ish_text_gives_a_plan_or_a_plan_file_error(pieces):
    _outcome("".join(pieces))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(KEYS), values)
def test_any_value_in_a_real_plan_gives_a_plan_or_a_plan_file_error(key, value):
    data = copy.deepcopy(BASE)
    data["breakthroughs"][0]["annual"][0][key] = value
    _outcome(yaml.safe_dump(data))


def test_the_states_a_file_may_set_are_the_tables_states():
    assert set(get_args(ObjectiveStateName)) == {state.value for state in ObjectiveState}
    assert set(get_args(ActionStateName)) == {state.value for state in ActionState}


def test_settings_language_is_read_and_english_by_default():
    assert parse_plan(EXAMPLE.read_text()).settings.language == "en"
    assert parse_plan(yaml.safe_dump(BASE)).settings.language == "en"
    plan = parse_plan(yaml.safe_dump(changed(settings__language="ja")))
    assert plan.settings.language == "ja" and "language" in plan.settings.model_fields_set


def test_a_bad_language_names_its_line():
    text = EXAMPLE.read_text().replace("  language: en ", "  language: Russian ")
    with pytest.raises(PlanFileError) as caught:
        parse_plan(text)
    line = 1 + text.splitlines().index(
        next(row for row in text.splitlines() if row.startswith("  language: Russian"))
    )
    assert caught.value.problems == [
        "settings.language: 'Russian' is not a language Hoshin Bot speaks; expected en "
        f"(English), ru (Russian) or ja (Japanese) (line {line})"
    ]
