"""Fixtures for the Slack stand-in tests: a running stand-in and real slack_sdk clients."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator

import pytest
from slack_sdk import WebClient

from bot.standin import SlackStandIn

TOKEN = "xoxb-test-token"


def seed(s: SlackStandIn) -> SlackStandIn:
    s.add_user("U0CEO", name="dana", real_name="Dana Smith", tz="Europe/Berlin")
    s.add_user("U0OPS", name="oskar", real_name="Oskar Ops", tz="America/New_York")
    s.add_user("U0GONE", name="gone", real_name="Gone Person", deleted=True)
    s.add_user("U0OTHERBOT", name="otherbot", is_bot=True)
    s.add_channel("C0REVIEW", name="hoshin-review")
    s.add_channel("C0OUTSIDE", name="outside", is_member=False)
    s.add_channel("C0OLD", name="old", is_archived=True)
    return s


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    """Rate limits off: most tests post several messages to one channel at once."""
    with seed(SlackStandIn(rate_limits=False)) as s:
        yield s


@pytest.fixture
def new_standin() -> Iterator[Callable[..., SlackStandIn]]:
    """Factory for a started, seeded stand-in with other settings; stopped after the test."""
    started: list[SlackStandIn] = []

    def factory(**kwargs) -> SlackStandIn:
        s = seed(SlackStandIn(**kwargs)).start()
        started.append(s)
        return s

    yield factory
    for s in started:
        s.stop()


@pytest.fixture
def client_for() -> Callable[..., WebClient]:
    return make_client


def make_client(s: SlackStandIn, **kwargs) -> WebClient:
    """A client with no retry handlers, so every 429, 5xx and dropped connection is visible."""
    kwargs.setdefault("retry_handlers", [])
    kwargs.setdefault("token", TOKEN)
    return WebClient(base_url=s.api_url, **kwargs)


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    return make_client(standin)


@pytest.fixture(autouse=True)
def _quiet_missing_text_warning() -> Iterator[None]:
    # slack_sdk warns client-side when blocks come without text; some tests do that on purpose.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*top-level `text` argument is missing.*")
        yield
