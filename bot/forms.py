"""Reading what people typed into modals: typed values, or InvalidInput naming the field.

Handlers pull raw strings out of Slack's view state; these functions decide what they mean.
Every message is written for the person who typed the value and names what to type instead.
"""

from __future__ import annotations

import re
from datetime import date

from bot import ids, numbers
from bot.errors import InvalidInput

# What the modals' fields hold; a plan file keeps the same limits, so every objective it loads
# can be edited in its modal again.
TITLE_LIMIT = 200
TEXT_LIMIT = 10_000  # descriptions and reasons are stored whole; builders shorten for display
METRIC_NAME_LIMIT = 120
UNIT_LIMIT = 20
NAME_LIMIT = 200  # a person's name in a plan file (Slack's own names are shorter)
VISION_LIMIT = 3000  # a Slack text input holds at most 3,000 characters
VALUE_LIMIT = 150
VALUES_MAX = 20
REF_LIMIT = 64
# An objective's ref (AN1.2) wherever one is typed or loaded: commands check it before looking
# it up, so a typed word that is not a ref (`<!channel>`) is refused, never echoed.
REF = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9._-]{{0,{REF_LIMIT - 1}}}$")
_SEPARATORS = re.compile(r"[\s,;]+")


def _clean(raw: str | None) -> str:
    """What was typed, without NUL bytes (PostgreSQL cannot store them in text)."""
    return (raw or "").replace("\x00", "").strip()


def required_text(raw: str | None, *, field: str, what: str, limit: int = TITLE_LIMIT) -> str:
    text = _clean(raw)
    if not text:
        raise InvalidInput(f"Please give {what}.", field=field)
    if len(text) > limit:
        raise InvalidInput(
            f"Keep {what} under {limit} characters (this one has {len(text)}).", field=field
        )
    return text


def optional_text(raw: str | None, *, field: str, limit: int = TEXT_LIMIT) -> str | None:
    text = _clean(raw)
    if len(text) > limit:
        raise InvalidInput(f"Keep this under {limit:,} characters.", field=field)
    return text or None


def number(raw: str | None, *, field: str, what: str, required: bool = True) -> float | None:
    """A number as people type it: `14`, `14.5`, `1,200`, `-3`, `12%`, within the metric bound."""
    text = (raw or "").strip().rstrip("%").replace("\u2009", "").replace(" ", "")
    if not text:
        if required:
            raise InvalidInput(f"Please give {what} as a number.", field=field)
        return None
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    value = numbers.decimal_of(text)
    if value is None:
        raise InvalidInput(
            f"{what.capitalize()} must be a number, like 14 or 12.5 (got “{raw.strip()}”).",
            field=field,
        )
    if not value.is_finite():
        raise InvalidInput(f"{what.capitalize()} must be a finite number.", field=field)
    refused = numbers.refusal(value)
    if refused:
        raise InvalidInput(refused.sentence(), field=field)
    return float(value)


def monthly_plan(
    raw: str | None, *, field: str = ids.FIELD_MONTHLY_PLAN, required: bool = True
) -> list[float] | None:
    """Twelve numbers, one per month of the fiscal year, separated by spaces, commas or lines."""
    text = (raw or "").strip()
    if not text:
        if required:
            raise InvalidInput("Please give twelve monthly values.", field=field)
        return None
    parts = [p for p in _SEPARATORS.split(text) if p]
    values = []
    for i, part in enumerate(parts, start=1):
        value = numbers.decimal_of(part.rstrip("%"))
        if value is None:
            raise InvalidInput(
                f"Value {i} (“{part}”) is not a number. Give twelve numbers, e.g. "
                "10.3 10.6 10.9 … 14.",
                field=field,
            )
        if not value.is_finite():
            raise InvalidInput(f"Value {i} must be a finite number.", field=field)
        refused = numbers.refusal(value)
        if refused:
            raise InvalidInput(f"Value {i} {refused.says}: {refused.advice}.", field=field)
        values.append(float(value))
    if len(values) != 12:
        raise InvalidInput(
            f"The monthly plan needs exactly twelve numbers, one per month; this has {len(values)}.",
            field=field,
        )
    return values


def due_date(raw: str | None, *, today: date, field: str = ids.FIELD_DUE) -> date:
    if not raw:
        raise InvalidInput("Please pick a due date.", field=field)
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("Pick the due date from the calendar.", field=field) from None
    if value < today:
        raise InvalidInput(
            f"The due date {value:%d %b %Y} is in the past; pick today or later.", field=field
        )
    return value


def year(raw: str | None, *, field: str = ids.FIELD_YEAR) -> int:
    text = (raw or "").strip().upper().removeprefix("FY")
    if not re.fullmatch(r"\d{4}", text) or not 2000 <= int(text) <= 2100:
        raise InvalidInput("Give the fiscal year as four digits, like 2027.", field=field)
    return int(text)


def year_span(raw: str | None, *, field: str = ids.FIELD_YEARS) -> tuple[int, int]:
    """`2027-2029` or `2027 2029`: a breakthrough's horizon, three to five years as a rule."""
    parts = [p for p in re.split(r"[\s,\-–—to]+", (raw or "").strip()) if p]
    if len(parts) != 2 or not all(re.fullmatch(r"\d{4}", p) for p in parts):
        raise InvalidInput("Give the first and last year, like 2027-2029.", field=field)
    start, end = int(parts[0]), int(parts[1])
    if not 2000 <= start <= end <= 2100:
        raise InvalidInput("The first year must not come after the last.", field=field)
    if end - start > 9:
        raise InvalidInput("A breakthrough spans at most ten years.", field=field)
    return start, end


class FormErrors(InvalidInput):
    """Every problem of one submitted modal, by block id: Slack shows each under its field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


class Form:
    """Reads a submitted modal field by field, gathering every error instead of stopping at one.

    form = Form(values)
    title = form.take(required_text, ids.FIELD_TITLE, what="a title")
    target = form.take(number, ids.FIELD_TARGET, what="the target")
    form.raise_errors()   # FormErrors with both problems, if both were wrong
    """

    def __init__(self, values: dict[str, str | None]) -> None:
        self.values = values
        self.errors: dict[str, str] = {}

    def take(self, parser, field: str, **kwargs):
        try:
            return parser(self.values.get(field), field=field, **kwargs)
        except InvalidInput as exc:
            self.errors.setdefault(exc.field or field, exc.message)
            return None

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def raise_errors(self) -> None:
        if self.errors:
            raise FormErrors(dict(self.errors))
