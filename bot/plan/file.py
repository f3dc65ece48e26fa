"""The plan file (YAML): its pydantic models, and a validation that names every problem by place."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from contextlib import suppress
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from bot import forms, numbers
from bot.errors import HoshinError
from bot.i18n import LANGUAGES
from bot.plan.checks import FILE, Problem, cross_checks, describe_error, place, shown
from bot.plan.limits import MAX_BYTES
from bot.plan.yaml_reader import Refused, read_yaml
from storage.models import Workspace

SHOWN = 100  # problems spelled out in an error's message


class PlanFileError(HoshinError):
    """The plan file cannot be used; `.problems` lists every problem found, not just the first."""

    def __init__(self, details: list[Problem]) -> None:
        self.details = details
        self.problems = [str(problem) for problem in details]
        count = f"{len(details)} problem{'s' if len(details) != 1 else ''}"
        lines = [f"  - {problem}" for problem in self.problems[:SHOWN]]
        if len(details) > SHOWN:  # all of them stay in .problems
            lines.append(f"  … and {len(details) - SHOWN} more")
        super().__init__(f"The plan file has {count} (nothing was changed):\n" + "\n".join(lines))


# --- field types: each check says what is wrong and what is expected --------------------------


def _no_bool(value: Any) -> Any:
    # pydantic reads true/false as 1/0; in a spreadsheet export that is always a mistake.
    if isinstance(value, bool):
        raise ValueError(f"not a number (got {shown(value)}); expected a number such as 12.5")
    return value


def _rule(ok: Callable[[Any], Any], says: str) -> AfterValidator:
    """A check of a value already of the right type; `says` may show it as {v} or {n}."""

    def check(value: Any) -> Any:
        if not ok(value):
            raise ValueError(says.format(v=shown(value), n=value))
        return value

    return AfterValidator(check)


def _slack_id(prefixes: str, kind: str, example: str, where: str) -> AfterValidator:
    pattern = re.compile(f"^[{prefixes}][A-Z0-9]{{1,31}}$")
    return _rule(
        pattern.match,
        f"{{v}} does not look like a Slack {kind} id; expected something like {example} ({where})",
    )


def _at_least(low: int, what: str) -> AfterValidator:
    return _rule(lambda n: n >= low, f"{{n}} is out of range; expected {low} or more {what}")


def _timezone(value: str) -> str:
    if value not in _zones():
        close = difflib.get_close_matches(value, sorted(_zones()), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"{shown(value)} is not a time zone; expected an IANA name such as Europe/Berlin{hint}"
        )
    return value


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    with suppress(ValueError, TypeError, AttributeError):
        return date.fromisoformat(value.strip())
    raise ValueError(f"{shown(value)} is not a valid date; expected YYYY-MM-DD, e.g. 2027-03-31")


def _bounded(value: float) -> float:
    # The same bound as the modals' (bot/numbers.py): a file cannot bring what a person cannot.
    exact = numbers.decimal_of(value)
    refused = numbers.refusal(exact) if exact is not None and exact.is_finite() else None
    if refused:
        raise ValueError(f"{numbers.plain(value)} {refused.says}; {refused.expected}")
    return value


def _whole_bounded(value: Any) -> Any:
    # A whole number past a float's range would otherwise be called "not a number".
    if isinstance(value, int) and not isinstance(value, bool):
        refused = numbers.refusal(Decimal(value))
        if refused:
            raise ValueError(f"{Decimal(value).normalize():.6g} {refused.says}; {refused.expected}")
    return value


Number = Annotated[
    float, BeforeValidator(_no_bool), BeforeValidator(_whole_bounded), AfterValidator(_bounded)
]
Whole = Annotated[int, BeforeValidator(_no_bool)]
Year = Annotated[
    Whole,
    _rule(lambda y: 2000 <= y <= 2100, "{n} is not a plausible year; expected a year such as 2027"),
]
Month = Annotated[
    Whole,
    _rule(
        lambda m: 1 <= m <= 12,
        "{n} is out of range; expected a month from 1 (January) to 12 (December)",
    ),
]
Text = Annotated[str, _rule(str.strip, "is empty; expected some text")]


def _at_most(limit: int, field: str) -> AfterValidator:
    def check(text: str) -> str:
        if len(text) > limit:
            raise ValueError(
                f"is {len(text):,} characters long; at most {limit:,} (what the {field} field "
                "of the modals holds)"
            )
        return text

    return AfterValidator(check)


def _values_at_most(values: list[str] | None) -> list[str] | None:
    if values is not None and len(values) > forms.VALUES_MAX:
        raise ValueError(f"has {len(values)} values; at most {forms.VALUES_MAX} values")
    return values


Title = Annotated[Text, _at_most(forms.TITLE_LIMIT, "Title")]
Ref = Annotated[
    str,
    _rule(
        forms.REF.match,
        "{v} is not a usable ref; expected a short code such as AN1.2 "
        f"(letters, digits, '.', '-' or '_', no spaces, at most {forms.REF_LIMIT} characters)",
    ),
]
ClockTime = Annotated[
    str,
    _rule(
        re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$").match,
        "{v} is not a time; expected HH:MM on a 24-hour clock",
    ),
]
Timezone = Annotated[str, AfterValidator(_timezone)]
Language = Annotated[
    str,
    _rule(
        lambda v: v in LANGUAGES,
        "{v} is not a language Hoshin Bot speaks; expected en (English), ru (Russian) or ja "
        "(Japanese)",
    ),
]
Due = Annotated[date, BeforeValidator(_date)]
UserId = Annotated[str, _slack_id("UW", "member", "U0123ABCD", "profile → ⋮ → Copy member ID")]
ChannelId = Annotated[str, _slack_id("CG", "channel", "C0123ABCD", "channel details, bottom")]
TeamId = Annotated[str, _slack_id("TE", "workspace (team)", "T0123ABCD", "workspace settings")]
ObjectiveStateName = Literal["proposed", "active", "rejected", "archived"]
ActionStateName = Literal["open", "done", "blocked"]


def _default(column: str) -> Any:
    # The file's defaults are the table's, so a fresh workspace round-trips without drift.
    return Workspace.model_fields[column].default


# --- the file's models --------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class PlanSettings(_Model):
    """Workspace settings; each key is a Workspace column, and only keys given are applied."""

    review_channel: ChannelId | None = None
    leadership_channel: ChannelId | None = None
    timezone: Timezone = _default("timezone")
    language: Language = _default("language")  # what channels hear, and people with no other
    fiscal_year_start_month: Month = _default("fiscal_year_start_month")
    checkin_business_day: Annotated[
        Whole,
        _rule(lambda d: 1 <= d <= 20, "{n} is out of range; expected a business day from 1 to 20"),
    ] = _default("checkin_business_day")
    checkin_time: ClockTime = _default("checkin_time")
    reminder_after_days: Annotated[Whole, _at_least(1, "days")] = _default("reminder_after_days")
    escalate_after_days: Annotated[Whole, _at_least(1, "days")] = _default("escalate_after_days")
    hansei_weeks_before_year_end: Annotated[Whole, _at_least(0, "weeks")] = _default(
        "hansei_weeks_before_year_end"
    )
    owner_objective_limit: Annotated[Whole, _at_least(1, "objectives")] = _default(
        "owner_objective_limit"
    )


class PersonEntry(_Model):
    id: UserId
    name: Annotated[Text, _at_most(forms.NAME_LIMIT, "name")]
    manager: UserId | None = None
    admin: bool = False
    timezone: Timezone | None = None


class Metric(_Model):
    name: Annotated[Text, _at_most(forms.METRIC_NAME_LIMIT, "Metric")]
    unit: Annotated[str, _at_most(forms.UNIT_LIMIT, "Unit")] | None = None
    baseline: Number | None = None
    target: Number
    higher_is_better: bool = True


class ActionEntry(_Model):
    title: Title
    owner: UserId | None = None
    due: Due | None = None
    state: ActionStateName | None = None  # None: leave the state in the database as it is


class _Objective(_Model):
    ref: Ref
    title: Title
    owner: UserId
    description: Annotated[str, _at_most(forms.TEXT_LIMIT, "Description")] | None = None
    metric: Metric | None = None
    review_channel: ChannelId | None = None
    state: ObjectiveStateName | None = None  # None: leave the state in the database as it is


class CascadedObjective(_Objective):
    year: Year | None = None  # parse_plan fills in the parent's year
    monthly_plan: list[Number] | None = None
    actions: list[ActionEntry] = []
    children: list[CascadedObjective] = []


class AnnualObjective(CascadedObjective):
    year: Year


class Breakthrough(_Objective):
    years: list[Year]
    annual: list[AnnualObjective] = []


class PlanFile(_Model):
    workspace: TeamId
    settings: PlanSettings = Field(default_factory=PlanSettings)
    vision: Annotated[str, _at_most(forms.VISION_LIMIT, "Vision")] | None = None
    values: Annotated[
        list[Annotated[Text, _at_most(forms.VALUE_LIMIT, "Values")]] | None,
        AfterValidator(_values_at_most),
    ] = None
    people: list[PersonEntry]
    breakthroughs: list[Breakthrough] = []


# --- parse --------------------------------------------------------------------------------------


def too_big(size: int) -> PlanFileError | None:
    """The error for a plan file of `size` bytes, if it is over the limit."""
    if size <= MAX_BYTES:
        return None
    says = (
        f"is {size:,} bytes; a plan file may be at most {MAX_BYTES / 1e6:.0f} MB "
        f"({MAX_BYTES:,} bytes): split the plan into several files"
    )
    return PlanFileError([Problem(FILE, says)])


def parse_plan(text: str) -> PlanFile:
    """The plan in `text`, or a PlanFileError listing every problem by its place in the file."""
    if error := too_big(len(text.encode("utf-8", "surrogatepass"))):
        raise error
    try:
        read = read_yaml(text)
    except Refused as exc:  # readable, so no hint about indentation and quotes
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}"
        raise PlanFileError([Problem(where, str(exc.problem))]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else FILE
        what = "; ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise PlanFileError(
            [Problem(where, f"not valid YAML ({what}); check the indentation and quotes there")]
        ) from None
    except Exception as exc:  # the YAML library's own surprises: still unreadable, still ours
        raise PlanFileError([Problem(FILE, f"cannot be read as YAML ({exc})")]) from None
    root = read.root
    if root is None:
        raise PlanFileError([Problem(FILE, "is empty; expected a plan starting 'workspace: T0…'")])
    if not isinstance(root, dict):
        top = "workspace, settings, people, breakthroughs"
        says = f"expected key: value pairs at the top ({top}), got {shown(root)}"
        raise PlanFileError([Problem(FILE, says)])
    problems: list[Problem] = []
    for loc, line, first in read.duplicates:
        message = f"is given twice in one block (first on line {first}); keep only one"
        problems.append(Problem(place(loc), message, line))
    found: list[tuple[tuple, str]] = []
    plan = None
    try:
        plan = PlanFile.model_validate(root)
    except ValidationError as exc:
        found += [(tuple(error["loc"]), describe_error(error, PlanFile)) for error in exc.errors()]
    except RecursionError:
        found.append(((), "is nested too deeply (does an alias refer to itself?)"))
    found += cross_checks(root)
    for loc, message in found:
        problems.append(Problem(place(loc), message, read.line(loc)))
    problems = list(dict.fromkeys(problems))  # one problem may be seen by two checks
    if problems or plan is None:
        # File order reads best; problems without a line (the whole file) come first.
        problems.sort(key=lambda problem: problem.line or 0)
        raise PlanFileError(problems)
    for bt in plan.breakthroughs:
        todo: list[tuple[CascadedObjective, int]] = [(an, an.year) for an in bt.annual]
        while todo:
            obj, year = todo.pop()
            obj.year = obj.year or year
            todo += [(child, obj.year) for child in obj.children]
    return plan
