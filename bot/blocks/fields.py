"""Input blocks shared by every modal: one block id per field, so errors land under the field.

Each builder takes the value to show (a previous round, the objective being edited) so that a
modal reopened for revision is filled in; Slack itself keeps what people typed when a
submission comes back with errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UserSelectElement,
)

from bot import forms, ids, numbers
from bot.blocks.common import shorten

INPUT_MAX = 3000  # Slack's limit for a plain-text input


def text_input(
    block_id: str,
    label: str,
    *,
    initial: str | None = None,
    placeholder: str | None = None,
    multiline: bool = False,
    optional: bool = False,
    max_length: int | None = None,
    hint: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        hint=hint,
        element=PlainTextInputElement(
            action_id=ids.FIELD_ACTION,
            # Slack refuses a modal whose prefill is longer than its field: a value stored before
            # the field's limit (or by a plan file of an older version) is shown shortened.
            initial_value=shorten(initial, min(max_length or 3000, 3000)) if initial else None,
            placeholder=placeholder,
            multiline=multiline,
            max_length=max_length,
        ),
    )


def long_text(
    block_id: str,
    label: str,
    initial: str | None,
    *,
    placeholder: str,
    optional: bool = True,
    hint: str | None = None,
) -> InputBlock:
    """A multi-line answer of a modal, up to Slack's input limit."""
    return text_input(
        block_id,
        label,
        initial=initial,
        placeholder=placeholder,
        multiline=True,
        optional=optional,
        max_length=INPUT_MAX,
        hint=hint,
    )


def title(initial: str | None = None, *, label: str = "Title") -> InputBlock:
    return text_input(
        ids.FIELD_TITLE,
        label,
        initial=initial,
        max_length=200,
        placeholder="What will be true when this succeeds?",
    )


def description(initial: str | None = None) -> InputBlock:
    return text_input(
        ids.FIELD_DESCRIPTION, "Description", initial=initial, multiline=True, optional=True
    )


def owner(initial_user: str | None = None, *, label: str = "Owner") -> InputBlock:
    return InputBlock(
        block_id=ids.FIELD_OWNER,
        label=label,
        element=UserSelectElement(
            action_id=ids.FIELD_ACTION, initial_user=initial_user, placeholder="Pick a person"
        ),
    )


def metric(
    *,
    name: str | None = None,
    unit: str | None = None,
    baseline: float | None = None,
    target: float | None = None,
    higher_is_better: bool = True,
    optional: bool = False,
) -> list[InputBlock]:
    direction = [
        Option(value="higher", label="Higher is better"),
        Option(value="lower", label="Lower is better"),
    ]
    return [
        text_input(
            ids.FIELD_METRIC_NAME,
            "Metric",
            initial=name,
            optional=optional,
            placeholder="ARR, churn, lead time…",
            max_length=forms.METRIC_NAME_LIMIT,
        ),
        text_input(
            ids.FIELD_METRIC_UNIT,
            "Unit",
            initial=unit,
            optional=True,
            placeholder="M€, %, days…",
            max_length=forms.UNIT_LIMIT,
        ),
        text_input(
            ids.FIELD_BASELINE,
            "Baseline",
            initial=_num(baseline),
            optional=True,
            placeholder="Where it stands today",
            max_length=numbers.FIELD_MAX,
        ),
        text_input(
            ids.FIELD_TARGET,
            "Target",
            initial=_num(target),
            optional=optional,
            placeholder="Where it should be at year end",
            max_length=numbers.FIELD_MAX,
        ),
        InputBlock(
            block_id=ids.FIELD_DIRECTION,
            label="Direction",
            element=StaticSelectElement(
                action_id=ids.FIELD_ACTION,
                options=direction,
                initial_option=direction[0 if higher_is_better else 1],
            ),
        ),
    ]


def monthly_plan(initial: Sequence[float] | None = None, *, optional: bool = False) -> InputBlock:
    return text_input(
        ids.FIELD_MONTHLY_PLAN,
        "Monthly plan",
        initial=" ".join(numbers.plain(v) for v in initial) if initial else None,
        placeholder="Twelve values, one per month: 10.3 10.6 10.9 …",
        optional=optional,
        max_length=numbers.PLAN_FIELD_MAX,
        hint="One value per month of the fiscal year, separated by spaces or commas.",
    )


def due(initial: date | None = None) -> InputBlock:
    return InputBlock(
        block_id=ids.FIELD_DUE,
        label="Due date",
        element=DatePickerElement(
            action_id=ids.FIELD_ACTION, initial_date=initial.isoformat() if initial else None
        ),
    )


def reason(
    *, label: str = "Reason", optional: bool = False, initial: str | None = None
) -> InputBlock:
    return text_input(
        ids.FIELD_REASON, label, initial=initial, multiline=True, optional=optional, max_length=3000
    )


def _num(value: float | None) -> str | None:
    # Exact, never rounded: a prefill saved unchanged must store the same number again.
    return None if value is None else numbers.plain(value)
