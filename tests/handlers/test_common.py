"""Listeners bound to the services: Bolt passes them what they name, never `services` itself."""

from __future__ import annotations

import inspect
import threading
from types import SimpleNamespace
from unittest import mock

import pytest
from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.kwargs_injection.args import Args
from slack_bolt.request import BoltRequest
from slack_bolt.util.utils import get_arg_names_of_callable, get_name_for_callable

from bot.lazy import AckGate, LeanListenerRunner, RoutedLazyRunner
from bot.services import Services
from handlers import register_all
from handlers.common import acknowledge, bind
from handlers.errors import answers_privately, replies_errors, tells_errors

# What Bolt can pass a listener, by name.
BOLT_ARGS = set(inspect.signature(Args.__init__).parameters) - {"self", "kwargs"}


def services() -> Services:
    return Services(
        settings=mock.MagicMock(),
        engine=mock.MagicMock(),
        clock=mock.MagicMock(),
        review_poster=mock.MagicMock(),
    )


def clicked(services, move: str, body, action, client, respond) -> None:
    services.seen.append((move, body["user"]["id"], action["value"]))


def test_bind_hides_services_and_keeps_the_name() -> None:
    bound = bind(clicked, services(), "approve")
    assert get_arg_names_of_callable(bound) == ["body", "action", "client", "respond"]
    assert get_name_for_callable(bound) == "clicked"
    assert not hasattr(bound, "__wrapped__")


@pytest.mark.parametrize("guard", [answers_privately, replies_errors, tells_errors])
def test_bound_listeners_keep_their_names_under_the_error_guards(guard) -> None:
    guarded = guard(bind(clicked, services(), "approve"))
    assert get_arg_names_of_callable(guarded) == ["body", "action", "client", "respond"]
    assert get_name_for_callable(guarded) == "clicked"


def test_every_listener_asks_bolt_only_for_what_it_has() -> None:
    app = App(token="xoxb-test", signing_secret="secret", token_verification_enabled=False)
    register_all(app, services())
    assert app._listeners
    for listener in app._listeners:
        for function in (listener.ack_function, *listener.lazy_functions):
            names = get_arg_names_of_callable(function)
            assert set(names) <= BOLT_ARGS, (get_name_for_callable(function), names)
            assert "services" not in names


def test_a_bound_lazy_listener_runs_on_the_lean_runner() -> None:
    """A click acked by `acknowledge`, its bound lazy listener run by bot/lazy.py's runners."""
    app = App(
        signing_secret="secret",
        request_verification_enabled=False,
        authorize=lambda **_: AuthorizeResult(
            enterprise_id=None, team_id="T1", bot_token="xoxb-test", bot_user_id="UB", bot_id="B1"
        ),
    )
    pool = mock.MagicMock()
    pool.submit.side_effect = lambda run: run()  # run the lazy work in the calling thread
    app._listener_runner = LeanListenerRunner.replacing(
        app._listener_runner,
        RoutedLazyRunner(
            app._framework_logger,
            answers=pool,
            interactions=pool,
            is_answer=lambda request: False,
            gate=AckGate(),
        ),
    )
    bound = SimpleNamespace(seen=[])  # what the listener reads of its services
    done = threading.Event()

    def clicked_then_done(services, move, body, action, client, respond) -> None:
        clicked(services, move, body, action, client, respond)
        done.set()

    app.action("approve")(
        ack=acknowledge, lazy=[answers_privately(bind(clicked_then_done, bound, "approve"))]
    )
    body = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "api_app_id": "A1",
        "token": "t",
        "trigger_id": "1.2.3",
        "response_url": "https://hooks.slack.invalid/1",
        "actions": [{"action_id": "approve", "block_id": "b", "value": "v1", "type": "button"}],
    }
    response = app.dispatch(BoltRequest(body=body, mode="socket_mode"))
    assert response.status == 200
    assert done.wait(5)
    assert bound.seen == [("approve", "U1", "v1")]


def test_scope_translator_speaks_the_scopes_language_without_asking_slack():
    from bot.scope import Scope
    from handlers.common import scope_translator
    from storage.models import Person, Workspace

    ws = Workspace(team_id="T0", language="ja")
    ana = Person(workspace_id=1, slack_user_id="U0ANA", name="Ana", locale="ru-RU")
    assert scope_translator(Scope(ws, ana)).language == "ru"
    assert scope_translator(Scope(ws, None)).language == "ja"
    ana.language = "en"
    assert scope_translator(Scope(ws, ana)).language == "en"
