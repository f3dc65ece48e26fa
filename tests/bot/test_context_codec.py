"""The codec of what the bot sends through Slack and reads back: signed, bounded, refused whole."""

from __future__ import annotations

import pytest

from bot import context
from bot.context import METADATA_LIMIT, CheckInRef, ObjectiveRef, derive_key, seal, unseal
from bot.errors import InvalidInput

KEY = derive_key("a-signing-secret")
BODY = '{"objective_id":7,"period":"2027-06"}'


def test_a_sealed_body_comes_back_as_it_went():
    raw = seal(BODY, key=KEY, purpose="CheckInRef")
    assert raw.startswith("h1.") and raw.endswith(BODY) and len(raw) <= METADATA_LIMIT
    assert unseal(raw, key=KEY, purpose="CheckInRef") == BODY


def test_the_key_is_derived_from_the_signing_secret_with_its_own_label():
    assert derive_key("a-signing-secret") == KEY
    assert derive_key("another-secret") != KEY
    assert KEY != b"a-signing-secret" and len(KEY) == 32


@pytest.mark.parametrize(
    "change",
    [
        lambda raw: raw.replace('"objective_id":7', '"objective_id":8'),  # the body
        lambda raw: raw[:3] + ("A" if raw[3] != "A" else "B") + raw[4:],  # the tag
        lambda raw: raw[:-1],  # truncated
        lambda raw: raw[: len(raw) // 2],
        lambda raw: raw + " ",
        lambda raw: raw.split(".", 2)[2],  # unsigned: the body alone, as before the upgrade
        lambda raw: "h2" + raw[2:],  # another version
        lambda raw: "h1." + raw.split(".", 2)[1],  # no body
    ],
)
def test_anything_changed_is_refused(change):
    raw = seal(BODY, key=KEY, purpose="CheckInRef")
    with pytest.raises(InvalidInput, match="open it again"):
        unseal(change(raw), key=KEY, purpose="CheckInRef")


def test_another_key_or_another_model_is_refused():
    raw = seal(BODY, key=KEY, purpose="CheckInRef")
    with pytest.raises(InvalidInput):
        unseal(raw, key=derive_key("another-secret"), purpose="CheckInRef")
    with pytest.raises(InvalidInput):
        unseal(raw, key=KEY, purpose="HanseiRef")  # a value signed for one use, sent to another


@pytest.mark.parametrize(
    "raw", [None, "", "h1.", "h1..", "junk", "[1, 2]", "h1.é.{}", "h1." + "A" * 43 + ".{}"]
)
def test_malformed_values_are_refused(raw):
    with pytest.raises(InvalidInput, match="open it again"):
        unseal(raw, key=KEY, purpose="CheckInRef")


def test_oversize_is_refused_both_ways():
    huge = '{"x":"' + "a" * METADATA_LIMIT + '"}'
    with pytest.raises(ValueError, match="3000"):
        seal(huge, key=KEY, purpose="CheckInRef")
    padded = seal(BODY, key=KEY, purpose="CheckInRef") + " " * METADATA_LIMIT
    with pytest.raises(InvalidInput, match="open it again"):
        unseal(padded, key=KEY, purpose="CheckInRef")


def test_models_dump_signed_and_parse_only_what_the_bot_signed(monkeypatch):
    monkeypatch.setattr(context, "_key", derive_key("the-app's-secret"))
    ref = CheckInRef(objective_id=7, period="2027-06")
    raw = ref.dump()
    assert raw.startswith("h1.") and CheckInRef.parse(raw) == ref
    with pytest.raises(InvalidInput):
        CheckInRef.parse(ref.model_dump_json())  # unsigned
    with pytest.raises(InvalidInput):
        ObjectiveRef.parse(ObjectiveRef(objective_id=7).dump().replace("7", "9"))
    with pytest.raises(InvalidInput):  # the signature holds, the model does not: refused as well
        CheckInRef.parse(seal('{"objective_id":7}', key=context._key, purpose="CheckInRef"))
    monkeypatch.setattr(context, "_key", derive_key("a-rotated-secret"))
    with pytest.raises(InvalidInput):
        CheckInRef.parse(raw)


def test_without_a_signing_secret_nothing_is_signed(monkeypatch):
    from bot.settings import SettingsError

    monkeypatch.setattr(context, "_key", None)
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET"):
        CheckInRef(objective_id=7, period="2027-06").dump()


def _every_context_model() -> set[type]:
    import bot.catchball.model
    import bot.objectives.admin
    import bot.review.threads  # noqa: F401  (their models are SlackContexts too)

    found, todo = set(), [context.SlackContext]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return found


def _samples() -> dict[type, object]:
    from bot.catchball.model import DecisionContext, ProposeContext
    from bot.objectives.admin import ObjectiveDraft
    from bot.review.threads import ReviewChannelRef

    return {
        context.StatusQuery: context.StatusQuery(kind="person", user="U0VP", year=2027),
        ObjectiveRef: ObjectiveRef(objective_id=7),
        context.RoundRef: context.RoundRef(round_id=7),
        context.ActionRef: context.ActionRef(action_id=7),
        CheckInRef: CheckInRef(objective_id=7, period="2027-06"),
        context.A3Ref: context.A3Ref(a3_id=7),
        context.A3WorkedRef: context.A3WorkedRef(a3_id=7, period="2027-06", worked="partly"),
        context.ReflectionRef: context.ReflectionRef(workspace_id=7, year=2027),
        context.HanseiRef: context.HanseiRef(objective_id=7, year=2027, home=True),
        ProposeContext: ProposeContext(objective_id=7, notice_round_id=8),
        DecisionContext: DecisionContext(round_id=7, move="reject"),
        ObjectiveDraft: ObjectiveDraft(level="annual", objective_id=7),
        ReviewChannelRef: ReviewChannelRef(channel="C0HOSHIN"),
    }


def test_every_context_model_is_signed_and_checked():
    samples = _samples()
    assert set(samples) == _every_context_model(), "a new context model needs a sample here"
    for model, sample in samples.items():
        raw = sample.dump()
        assert model.parse(raw) == sample
        # Each character changed, or the value cut anywhere: refused, never another value.
        for i in range(len(raw)):
            changed = raw[:i] + ("0" if raw[i] != "0" else "1") + raw[i + 1 :]
            with pytest.raises(InvalidInput):
                model.parse(changed)
            with pytest.raises(InvalidInput):
                model.parse(raw[:i])
        for other in samples:
            if other is not model:
                with pytest.raises(InvalidInput):
                    other.parse(raw)


# ---- buttons written before contexts were signed (UNSIGNED_BUTTONS_UNTIL) ----------------------


@pytest.fixture
def window():
    """Opens the window for unsigned contexts, and puts the suite's key back afterwards."""
    from datetime import UTC, datetime, timedelta

    from tests.e2e.conftest import SIGNING_SECRET

    today = datetime.now(UTC).date()
    yield lambda days: context.sign_with(SIGNING_SECRET, unsigned_until=today + timedelta(days))
    context.sign_with(SIGNING_SECRET)


def test_an_unsigned_context_of_an_older_version_is_read_while_the_window_is_open(window):
    window(30)
    assert CheckInRef.parse(BODY) == CheckInRef(objective_id=7, period="2027-06")


@pytest.mark.parametrize("days", [0, -1, -400])
def test_an_unsigned_context_is_refused_from_the_windows_last_day_on(window, days):
    window(days)
    with pytest.raises(InvalidInput):
        CheckInRef.parse(BODY)


def test_without_a_window_an_unsigned_context_is_refused():
    with pytest.raises(InvalidInput):
        CheckInRef.parse(BODY)


def test_the_window_never_lets_a_changed_signed_context_through(window):
    window(30)
    raw = CheckInRef(objective_id=7, period="2027-06").dump()
    with pytest.raises(InvalidInput):
        CheckInRef.parse(raw.replace('"objective_id":7', '"objective_id":8'))
    with pytest.raises(InvalidInput):  # unsigned, but not the model's shape
        CheckInRef.parse('{"objective_id":7,"period":"2027-06","notice_channel":"C1"}')
    with pytest.raises(InvalidInput):  # unsigned and over Slack's limit
        CheckInRef.parse('{"objective_id":7,"period":"' + "x" * METADATA_LIMIT + '"}')
