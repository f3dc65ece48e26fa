"""Hostile input, property-based: the plan importer and every modal parser.

tests/plan/test_plan_file.py already throws any structure at the parser alone. Here the whole
import runs against a database holding a plan: any text, and any bytes through the CLI, give
a report or a located error, never a crash, and after an error every table is as it was.
Every modal parser gets any dict of strings and gives a value or field errors keyed by the
block ids of its own modal, never another exception.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot import ids
from bot.catchball.model import Proposal
from bot.checkin.service import read_answer
from bot.cli import main as hoshin
from bot.errors import HoshinError, InvalidInput
from bot.forms import FormErrors
from bot.objectives.admin import read_objective_form
from bot.objectives.vision import read_vision_form
from bot.plan.file import PlanFileError
from bot.plan.store import import_plan
from handlers.catchball import read_counter, read_proposal, read_reason
from tests import factories as f
from tests.security.twoworkspaces import snapshot

EXAMPLE = Path(__file__).resolve().parents[2] / "bot" / "examples" / "acme-2027.yaml"
EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")
DB = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PURE = settings(max_examples=100, deadline=None)

HOSTILE = [
    "",
    " ",
    "nan",
    "-inf",
    "1e309",
    "1,2,3",
    "12%",
    "١٢",
    "0x10",
    "1_000",
    "\x00",
    "\u202e",
    "💥" * 3,
    "a" * 11_000,
    "1 " * 12,
    "1 " * 13,
    "<!channel>",
    "`code`",
    "{{ }}",
    "on_track",
    "off_track",
    "lower",
    "2027-02-30",
    "1999-01-01",
    "2027",
    "2027-2029",
    "U0NEW",
    "U0CEO",
    "UBOT",
    "U0GONE",
]
text_values = st.none() | st.sampled_from(HOSTILE) | st.text(max_size=40)


def form_values(fields: set[str]):
    """A submitted modal's values: its own fields, and a few that are not there."""
    keys = st.sampled_from(sorted(fields)) | st.text(max_size=8)
    return st.dictionaries(keys, text_values, max_size=len(fields) + 2)


def parsed_or_field_errors(parse, values: dict, fields: set[str]):
    try:
        return parse(values)
    except FormErrors as exc:
        assert exc.errors and set(exc.errors) <= fields, exc.errors
        assert all(isinstance(m, str) and m.strip() for m in exc.errors.values())
    except InvalidInput as exc:
        assert exc.field in fields and exc.message.strip(), (exc.field, exc.message)
    return None


# ---- the importer, with a database ----------------------------------------------------------


@pytest.fixture
def stored(engine):
    import_plan(engine, EXAMPLE_TEXT)
    return engine


def imported_or_unchanged(engine, text: str) -> None:
    before = snapshot(engine)
    try:
        report = import_plan(engine, text)
    except PlanFileError as exc:
        assert exc.problems and all(": " in p for p in exc.problems), exc.problems  # located
        assert snapshot(engine) == before, "a refused plan left rows behind"
    except HoshinError as exc:
        assert exc.message.strip()
        assert snapshot(engine) == before, "a refused plan left rows behind"
    else:
        assert report.lines()


@DB
@given(
    offset=st.integers(0, len(EXAMPLE_TEXT)),
    cut=st.integers(0, 40),
    insert=st.sampled_from(["\n", ": ", "- ", "  ", "[", "{", "*a", "&a ", "!!binary ", "\t"])
    | st.text(max_size=12),
)
def test_any_edit_of_a_stored_plan_imports_or_changes_nothing(stored, offset, cut, insert):
    imported_or_unchanged(stored, EXAMPLE_TEXT[:offset] + insert + EXAMPLE_TEXT[offset + cut :])


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _paths(child, (*path, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _paths(child, (*path, i))


EXAMPLE_DATA = yaml.safe_load(EXAMPLE_TEXT)
PATHS = [p for p in _paths(EXAMPLE_DATA) if p]
any_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.sampled_from(HOSTILE),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)


@DB
@given(path=st.sampled_from(PATHS), value=any_value)
def test_any_value_anywhere_in_a_stored_plan_imports_or_changes_nothing(stored, path, value):
    data = copy.deepcopy(EXAMPLE_DATA)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    imported_or_unchanged(stored, yaml.safe_dump(data, allow_unicode=True))


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=200) | st.sampled_from([b"\xff\xfe", b"workspace: \xc3\x28"]))
def test_any_bytes_through_the_cli_give_a_clear_exit_never_a_traceback(tmp_path, data):
    plan = tmp_path / "plan.yaml"
    plan.write_bytes(data)
    result = CliRunner().invoke(
        hoshin,
        ["plan", "import", str(plan)],
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"},
    )
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert "nothing was imported" in result.output.lower() or "Error:" in result.output


# ---- the modal parsers ------------------------------------------------------------------------

CHECKIN = {
    ids.FIELD_ACTUAL,
    ids.FIELD_STATUS,
    ids.FIELD_WHAT_HAPPENED,
    ids.FIELD_CHALLENGES,
    ids.FIELD_COUNTERMEASURE,
}
VISION = {ids.FIELD_VISION, ids.FIELD_VALUES}
OBJECTIVE = {
    ids.FIELD_TITLE,
    ids.FIELD_DESCRIPTION,
    ids.FIELD_PARENT,
    ids.FIELD_YEAR,
    ids.FIELD_YEARS,
    ids.FIELD_METRIC_NAME,
    ids.FIELD_METRIC_UNIT,
    ids.FIELD_BASELINE,
    ids.FIELD_TARGET,
    ids.FIELD_DIRECTION,
    ids.FIELD_MONTHLY_PLAN,
}
PROPOSE = {
    ids.FIELD_TITLE,
    ids.FIELD_OWNER,
    ids.FIELD_METRIC_NAME,
    ids.FIELD_METRIC_UNIT,
    ids.FIELD_BASELINE,
    ids.FIELD_TARGET,
    ids.FIELD_DIRECTION,
    ids.FIELD_MONTHLY_PLAN,
    ids.FIELD_DESCRIPTION,
    ids.FIELD_NOTE,
}
COUNTER = {ids.FIELD_TITLE, ids.FIELD_TARGET, ids.FIELD_MONTHLY_PLAN, ids.FIELD_REASON}
REASON = {ids.FIELD_REASON}
BASE = Proposal(
    title="Open the Nordic market",
    owner="U0MGR",
    metric_name="ARR",
    metric_unit="M$",
    baseline=0.0,
    target=2.0,
    direction="higher",
    monthly_plan=tuple(float(m) for m in range(1, 13)),
    description=None,
)


@PURE
@given(values=form_values(CHECKIN), metric=st.none() | st.just("ARR"))
def test_the_checkin_modal_parses_anything(values, metric):
    answer = parsed_or_field_errors(lambda v: read_answer(v, metric_name=metric), values, CHECKIN)
    if answer is not None:
        assert answer.status in ("on_track", "at_risk", "off_track")


@PURE
@given(values=form_values(VISION))
def test_the_vision_modal_parses_anything(values):
    parsed_or_field_errors(read_vision_form, values, VISION)


@PURE
@given(values=form_values(OBJECTIVE), level=st.sampled_from(["annual", "breakthrough"]))
def test_the_objective_modal_parses_anything(values, level):
    def parse(v):
        form, changes = read_objective_form(v, level=level)
        form.raise_errors()
        return changes

    parsed_or_field_errors(parse, values, OBJECTIVE)


@PURE
@given(values=form_values(COUNTER))
def test_the_counter_modal_parses_anything(values):
    parsed_or_field_errors(lambda v: read_counter(v, BASE), values, COUNTER)


@PURE
@given(values=form_values(REASON))
def test_the_reason_modal_parses_anything(values):
    parsed_or_field_errors(read_reason, values, REASON)


class Directory:
    """users.info as Slack answers it, for the owner pickers."""

    PEOPLE = {
        "U0NEW": {"id": "U0NEW", "name": "new", "real_name": "New Person"},
        "UBOT": {"id": "UBOT", "name": "bot", "is_bot": True},
        "U0GONE": {"id": "U0GONE", "name": "gone", "deleted": True},
    }

    def users_info(self, *, user: str, include_locale: bool = False):
        if user not in self.PEOPLE:
            response = SlackResponse(
                client=None,
                http_verb="POST",
                api_url="users.info",
                req_args={},
                data={"ok": False, "error": "user_not_found"},
                headers={},
                status_code=200,
            )
            raise SlackApiError("user_not_found", response)
        return {"ok": True, "user": self.PEOPLE[user]}


@DB
@given(values=form_values(PROPOSE))
def test_the_propose_modal_parses_anything(session, values):
    ws = session.info.get("ws")
    if ws is None:
        ws = session.info["ws"] = f.workspace(session, "T0ACME")
        f.person(session, ws, "U0CEO", name="Dana")
        session.commit()
    try:
        parsed_or_field_errors(
            lambda v: read_proposal(session, Directory(), workspace_id=ws.id, values=v),
            values,
            PROPOSE,
        )
    finally:
        session.rollback()  # a new owner is added in the submission's transaction
