"""Who hears which language: chosen, else the Slack locale, else the workspace's."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.languages import (
    CHOSEN,
    SLACK,
    WORKSPACE,
    language_of,
    language_source,
    locale_language,
    requester_language,
)
from storage.models import Person, Workspace
from tests import factories as f


def person(language: str | None = None, locale: str | None = None) -> Person:
    return Person(
        workspace_id=1, slack_user_id="U0ANA", name="Ana", language=language, locale=locale
    )


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("ru-RU", "ru"),
        ("ja-JP", "ja"),
        ("en-GB", "en"),
        ("de-DE", "en"),
        ("pt-BR", "en"),
        ("ru", "ru"),
        ("en-US", None),  # Slack's default for everyone says nothing
        (None, None),
        ("", None),
    ],
)
def test_a_slack_locale_asks_for_its_language(locale, language):
    assert locale_language(locale) == language


@pytest.mark.parametrize(
    ("chosen", "locale", "workspace", "heard"),
    [
        ("ja", "ru-RU", "en", ("ja", CHOSEN)),  # the choice beats the locale
        ("en", "ru-RU", "ja", ("en", CHOSEN)),
        (None, "ru-RU", "ja", ("ru", SLACK)),  # the locale beats the workspace
        (None, "de-DE", "ja", ("en", SLACK)),  # a locale the bot doesn't speak: English
        (None, "en-US", "ru", ("ru", WORKSPACE)),  # Slack's default: the workspace's
        (None, None, "ja", ("ja", WORKSPACE)),
        (None, None, "en", ("en", WORKSPACE)),
        ("xx", None, "ru", ("ru", WORKSPACE)),  # a stored value the bot no longer speaks
        (None, None, "xx", ("en", WORKSPACE)),
    ],
)
def test_the_order_chosen_then_locale_then_workspace(chosen, locale, workspace, heard):
    ws = Workspace(team_id="T0", language=workspace)
    assert language_source(person(chosen, locale), ws) == heard
    assert language_of(person(chosen, locale), ws) == heard[0]


def test_without_a_person_or_a_workspace():
    assert language_of(None, Workspace(team_id="T0", language="ja")) == "ja"
    assert language_of(None, Workspace(team_id="T0", language="ja"), locale="ru-RU") == "ru"
    assert language_of(None, None) == "en"
    assert language_of(person(locale="ja-JP"), None) == "ja"
    # a stored locale is the person's; `locale` only stands in for a missing one
    assert language_of(person(locale="ja-JP"), None, locale="ru-RU") == "ja"


class Slack:
    """users.info as Slack answers it, counting the calls."""

    def __init__(self, locales: dict[str, str]) -> None:
        self.locales = locales
        self.calls: list[dict] = []

    def users_info(self, **args):
        self.calls.append(args)
        if args["user"] not in self.locales:
            data = {"ok": False, "error": "user_not_found"}
            response = SlackResponse(
                client=None,
                http_verb="POST",
                api_url="users.info",
                req_args={},
                data=data,
                headers={},
                status_code=200,
            )
            raise SlackApiError("user_not_found", response)
        return {"ok": True, "user": {"id": args["user"], "locale": self.locales[args["user"]]}}


def test_the_requesters_locale_is_asked_once_and_kept(session):
    ws = f.workspace(session, "T0LANG", language="ja")
    ana = f.person(session, ws, "U0ANA", name="Ana")
    slack = Slack({"U0ANA": "ru-RU", "U0NEW": "ja-JP", "U0US": "en-US"})

    asked = requester_language(session, slack, team_id="T0LANG", user_id="U0ANA")
    assert asked == ("ru", SLACK, ana) and ana.locale == "ru-RU"
    assert slack.calls == [{"user": "U0ANA", "include_locale": True}]
    assert requester_language(session, slack, team_id="T0LANG", user_id="U0ANA")[:2] == (
        "ru",
        SLACK,
    )
    assert len(slack.calls) == 1  # kept on the person
    slack.locales["U0ANA"] = "en-US"
    fresh = requester_language(session, slack, team_id="T0LANG", user_id="U0ANA", fresh=True)
    assert fresh[:2] == ("ja", WORKSPACE) and ana.locale == "en-US"

    # someone the plan does not list: asked every time, nothing stored
    assert requester_language(session, slack, team_id="T0LANG", user_id="U0NEW") == (
        "ja",
        SLACK,
        None,
    )
    # Slack can't tell: the workspace's language; no plan at all: English
    assert requester_language(session, slack, team_id="T0LANG", user_id="U0GONE")[:2] == (
        "ja",
        WORKSPACE,
    )
    assert requester_language(session, slack, team_id="T0NONE", user_id="U0ANA")[:2] == (
        "en",
        WORKSPACE,
    )


def test_a_chosen_language_needs_no_call_to_slack(session):
    ws = f.workspace(session, "T0LANG")
    f.person(session, ws, "U0ANA", name="Ana", language="ja")
    slack = Slack({})
    assert requester_language(session, slack, team_id="T0LANG", user_id="U0ANA")[:2] == (
        "ja",
        CHOSEN,
    )
    assert slack.calls == []
