"""One property over every Block Kit builder: any user text up to its field's input limit,
escaped, never breaks a Slack limit and never leaves live markup from user text (issue 16).

Each builder starts from a valid model its own unit tests use; every user-text field of that
model (found by name, at any depth) is replaced by hostile text up to the field's limit. The
payload must pass slack_sdk's validation (in to_dict) and the stand-in's Block Kit checker, and
no mrkdwn text or `text` fallback may hold `<!channel>`, `<@U123>`, `<http://evil…` and the like.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.a3 import blocks as a3
from bot.a3.model import A3Form
from bot.actions import blocks as actions
from bot.actions.model import NewAction
from bot.blocks.common import Message
from bot.catchball import blocks as catchball
from bot.catchball.model import ProposeContext, ProposeForm
from bot.checkin import blocks as checkin
from bot.checkin import prompt_blocks as prompts
from bot.checkin.model import Escalation
from bot.context import StatusQuery
from bot.hansei import blocks as hansei
from bot.hansei.model import HanseiEscalation
from bot.home import blocks as home
from bot.i18n import ENGLISH, Translator, translator
from bot.objectives import admin_blocks as objective_admin
from bot.objectives import checks_blocks as checks
from bot.objectives import vision_blocks
from bot.reflection import blocks as reflection
from bot.reflection.facts import year_facts
from bot.reflection.service import carry_overs
from bot.review import blocks as review
from bot.review.model import CheckInReply
from bot.standin.blockkit import validate_message_blocks, validate_view
from bot.status import blocks as status_blocks
from bot.status.rules import build_plan_status
from storage.status import ActionRow, CheckInRow
from tests.a3.test_a3_blocks import CARD, WRITTEN
from tests.actions.test_action_blocks import card
from tests.catchball.test_blocks import STATES, VIEW, Move
from tests.catchball.test_blocks import parent as catchball_parent
from tests.checkin.test_blocks import form as checkin_form
from tests.checkin.test_blocks import line, summary
from tests.hansei.test_hansei_blocks import ask as hansei_ask
from tests.hansei.test_hansei_blocks import form as hansei_form
from tests.hansei.test_hansei_blocks import objective as hansei_objective
from tests.home.test_home_blocks import make_home
from tests.objectives.test_check_blocks import many
from tests.objectives.test_objective_admin_blocks import annual, breakthroughs
from tests.prompts.test_prompt_blocks import ask as checkin_ask
from tests.prompts.test_prompt_blocks import objective as asked_objective
from tests.prompts.test_prompt_blocks import overdue
from tests.reflection.test_reflection_blocks import PERIODS, big_year
from tests.status.test_status_blocks import big_plan
from tests.text import hostile_text, mrkdwn_text, user_markup

# Every field a person (or a plan file) writes, and the most its input lets through.
TODAY = date(2027, 6, 15)
TEXT_FIELDS = {
    "title": 200,
    "objective_title": 200,
    "parent_title": 200,
    "description": 10_000,
    "name": 200,
    "owner_name": 200,
    "workspace_name": 200,
    "message": 500,
    "metric_name": 120,
    "unit": 20,
    "metric_unit": 20,
    "parent_unit": 20,
    "what_happened": 3000,
    "challenges": 3000,
    "countermeasure": 3000,
    "suggested_countermeasure": 3000,
    "comment": 3000,
    "note": 3000,
    "reason": 3000,
    "asked": 3000,
    "problem": 3000,
    "root_cause": 3000,
    "vision": 3000,
    "text": 3000,
    "lesson": 3000,
    "went_well": 3000,
    "went_wrong": 3000,
    "lessons": 3000,
    "next_year": 3000,
    "worked_note": 3000,
}
HYPOTHESIS = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Hostile:
    """Replaces every user-text field of a model, at any depth, with drawn hostile text."""

    # Models with hundreds of text fields would overrun Hypothesis's budget of choices: a few
    # texts per limit are drawn, then reused in turn.
    DRAWN_PER_LIMIT = 6

    def __init__(self, data: st.DataObject) -> None:
        self.data = data
        self.drawn: dict[int, list[str]] = {}
        self.calls = 0

    def text(self, limit: int) -> str:
        drawn = self.drawn.setdefault(limit, [])
        self.calls += 1
        if len(drawn) < self.DRAWN_PER_LIMIT:
            drawn.append(self.data.draw(hostile_text(limit)))
            return drawn[-1]
        return drawn[self.calls % len(drawn)]

    def __call__(self, value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {}
            for field in dataclasses.fields(value):
                if not field.init:
                    continue
                changes[field.name] = self.field(field.name, getattr(value, field.name))
            return dataclasses.replace(value, **changes)
        if hasattr(value, "_fields") and isinstance(value, tuple):  # NamedTuple
            return value._replace(**{k: self.field(k, getattr(value, k)) for k in value._fields})
        if hasattr(type(value), "model_fields") and hasattr(value, "model_copy"):  # SQLModel rows
            update = {k: self.field(k, getattr(value, k)) for k in type(value).model_fields}
            return value.model_copy(update=update)
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self(v) for v in value)
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        return value

    def field(self, name: str, value: Any) -> Any:
        if isinstance(value, str) and name in TEXT_FIELDS:
            return self.text(TEXT_FIELDS[name])
        return self(value)


def _status(h: Hostile):
    rows, latest, people = big_plan(1, 2, 1)
    rows, people = h(rows), h(people)
    return build_plan_status(rows, latest, people, year=2027, start_month=1), people


def _plan_overview(h: Hostile, tr: Translator = ENGLISH):
    status, _ = _status(h)
    return status_blocks.plan_overview(status, vision=h.text(3000), query=StatusQuery(), tr=tr)


def _objective_detail(h: Hostile, tr: Translator = ENGLISH):
    status, people = _status(h)
    history = [
        CheckInRow(2, f"2027-{m:02d}", m, "at_risk", h.text(3000), h.text(3000))
        for m in range(1, 4)
    ]
    acts = [ActionRow(i, 2, h.text(200), 1, None, "open") for i in range(3)]
    node = status.by_ref["AN0.0"]
    return status_blocks.objective_detail(
        status,
        node,
        vision=h.text(3000),
        history=history,
        actions=acts,
        people=people,
        today=TODAY,
        query=StatusQuery(kind="objective", ref="AN0.0"),
        tr=tr,
    )


def _person_overview(h: Hostile, tr: Translator = ENGLISH):
    status, people = _status(h)
    acts = [ActionRow(i, 2, h.text(200), 1, None, "open") for i in range(3)]
    return status_blocks.person_overview(
        status,
        people[1],
        vision=h.text(3000),
        actions=acts,
        people=people,
        today=TODAY,
        query=StatusQuery(kind="person", user="U0ANA"),
        tr=tr,
    )


def _facts(h: Hostile):
    return year_facts(
        h(big_year(12)),
        year=2027,
        periods=PERIODS,
        now_period="2028-01",
        workspace_name=h.text(200),
        vision=h.text(3000),
    )


def _reflection_all(h: Hostile) -> list:
    facts = _facts(h)
    out: list = [reflection.summary(facts), reflection.preview(facts, leadership_channel="C0L")]
    for bt in facts.breakthroughs:
        out += reflection.breakthrough_replies(bt, year=2027)
    out.append(reflection.closing(facts, carry_overs(facts), workspace_id=1))
    return out


def _escalation(h: Hostile):
    return h(
        Escalation(
            owner_user_id="U0BERTA",
            owner_name="Berta",
            period="2027-03",
            open_objectives=(asked_objective(1), asked_objective(2)),
            prompted_at=datetime(2027, 3, 1, 8, tzinfo=UTC),
            days=7,
        )
    )


BUILDERS: dict[str, Callable[[Hostile], Any]] = {
    "review.review_parent": lambda h: review.review_parent(h(summary([line(1), line(2)]))),
    "review.check_in_reply": lambda h: _check_in_reply(h),
    "checkin.checkin_modal": lambda h: checkin.checkin_modal(h(checkin_form(comment="c"))),
    "catchball.decision_message": lambda h: [catchball.decision_message(h(v)) for v in STATES],
    "catchball.notice_message": lambda h: [catchball.notice_message(h(v)) for v in STATES],
    "catchball.receipt_message": lambda h: [catchball.receipt_message(h(v)) for v in STATES],
    "catchball.counter_modal": lambda h: catchball.counter_modal(h(VIEW)),
    "catchball.reason_modal": lambda h: catchball.reason_modal(h(VIEW), Move.REJECT),
    "catchball.propose_modal": lambda h: _propose_modal(h),
    "a3.a3_request": lambda h: [a3.a3_request(h(CARD)), a3.a3_request(h(WRITTEN))],
    "a3.a3_modal": lambda h: a3.a3_modal(
        A3Form(card=h(WRITTEN), previous_period="2027-05", suggested_countermeasure=h.text(3000))
    ),
    "actions.action_message": lambda h: actions.action_message(h(card())),
    "prompts.checkin_prompt": lambda h: prompts.checkin_prompt(
        h(checkin_ask([asked_objective(1), asked_objective(2)], overdue=(overdue(1),)))
    ),
    "prompts.checkin_reminder": lambda h: prompts.checkin_reminder(
        h(checkin_ask([asked_objective(1)]))
    ),
    "prompts.checkin_escalation": lambda h: prompts.checkin_escalation(_escalation(h)),
    "hansei.hansei_prompt": lambda h: hansei.hansei_prompt(
        h(hansei_ask([hansei_objective(1), hansei_objective(2)]))
    ),
    "hansei.hansei_reminder": lambda h: hansei.hansei_reminder(
        h(hansei_ask([hansei_objective(1)]))
    ),
    "home.home_view": lambda h: home.home_view(
        h(make_home(owned=3, pending=2, actions=3, admin=True))
    ),
    "vision.vision_message": lambda h: vision_blocks.vision_message(
        h.text(3000), [h.text(150) for _ in range(20)], can_edit=True
    ),
    "vision.vision_modal": lambda h: vision_blocks.vision_modal(
        h.text(3000), [h.text(150) for _ in range(20)]
    ),
    "reflection.*": _reflection_all,
    "hansei.hansei_escalation": lambda h: hansei.hansei_escalation(
        h(
            HanseiEscalation(
                owner_user_id="U0MO",
                owner_name="Mo",
                year=2027,
                open_objectives=(hansei_objective(1), hansei_objective(2)),
                prompted_at=datetime(2027, 12, 10, 9, tzinfo=UTC),
                closes_at=datetime(2028, 2, 1, 9, tzinfo=UTC),
                days=7,
                away_until=None,
            )
        )
    ),
    "hansei.hansei_modal": lambda h: hansei.hansei_modal(h(hansei_form())),
    "hansei.hansei_receipt": lambda h: hansei.hansei_receipt(
        h(hansei_ask([hansei_objective(1), hansei_objective(2)])), "AN1"
    ),
    "objective_admin.objective_modal": lambda h: [
        objective_admin.objective_modal(
            "annual", "{}", objective=h(annual()), breakthroughs=h(breakthroughs(3)), year=2027
        ),
        objective_admin.objective_modal("breakthrough", "{}", objective=h(annual())),
    ],
    "objective_admin.archive_confirmation": lambda h: objective_admin.archive_confirmation(
        h(annual()), h(breakthroughs(3))
    ),
    "checks.check_message": lambda h: checks.check_message(h(many(30)), year=2027),
    "actions.add_action_modal": lambda h: actions.add_action_modal(
        NewAction(h(annual()), "U0MGR"), title=h.text(200)
    ),
    "status.plan_overview": _plan_overview,
    "status.objective_detail": _objective_detail,
    "status.person_overview": _person_overview,
}
# The status answer speaks Russian and Japanese too: translated text, as long or longer, fits.
for _language in ("ru", "ja"):
    for _name, _build in [
        ("status.plan_overview", _plan_overview),
        ("status.objective_detail", _objective_detail),
        ("status.person_overview", _person_overview),
    ]:
        BUILDERS[f"{_name}[{_language}]"] = functools.partial(_build, tr=translator(_language))


def _check_in_reply(h: Hostile):
    return review.check_in_reply(
        CheckInReply(line=h(line(1, text="x", checked=True)), person="U0MGR", period="2027-06")
    )


def _propose_modal(h: Hostile):
    big = h(STATES[0].proposal)
    return catchball.propose_modal(
        ProposeForm(
            ProposeContext(objective_id=11),
            "revision",
            h(catchball_parent()),
            "U0VP",
            "AN1.2",
            big,
            "U0MGR",
            asked=h.text(3000),
        )
    )


def payloads(built: Any) -> list[tuple[str, dict]]:
    """(kind, payload) for whatever a builder returned: messages, views, or lists of them."""
    if isinstance(built, list):
        return [p for b in built for p in payloads(b)]
    if isinstance(built, Message) or hasattr(built, "blocks"):
        return [("message", {"text": built.text, "blocks": built.blocks})]
    assert isinstance(built, dict), type(built)
    return [("view", built)]


@pytest.mark.parametrize("name", sorted(BUILDERS))
@HYPOTHESIS
@given(data=st.data())
def test_any_hostile_text_fits_slack_and_never_becomes_markup(name, data):
    for kind, payload in payloads(BUILDERS[name](Hostile(data))):
        if kind == "message":
            assert validate_message_blocks(payload["blocks"]) == [], name
            assert payload["text"] and len(payload["text"]) <= 3000, name
        else:
            assert validate_view(payload) == [], name
        assert user_markup(mrkdwn_text(payload)) == [], (name, user_markup(mrkdwn_text(payload)))
