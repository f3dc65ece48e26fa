"""Acks have a thread pool of their own, and answers one apart from the modals' lazy work:
under a burst acks never queue behind slow answers, nor modals (whose trigger_id expires);
answers wait until no request is being acked."""

import copy
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_bolt.request import BoltRequest

from bot import app as composition
from bot import lazy
from bot.app import create_app
from bot.clock import SystemClock
from bot.services import Services
from bot.settings import Settings


def make_app(engine):
    settings = Settings(
        _env_file=None,
        slack_bot_token="xoxb-pool",
        slack_signing_secret="pool-secret",
        slack_api_url="http://127.0.0.1:9/api/",
        database_url=str(engine.url),
    )
    return create_app(Services(settings=settings, engine=engine, clock=SystemClock()))


def test_acks_answers_and_interactions_run_on_pools_of_their_own(engine):
    runner = make_app(engine)._listener_runner
    acks, lazy_runner = runner.listener_executor, runner.lazy_listener_runner
    pools = {id(acks), id(lazy_runner.answers), id(lazy_runner.interactions)}
    assert len(pools) == 3
    assert acks._max_workers == composition.ACK_THREADS
    assert lazy_runner.answers._max_workers == lazy.ANSWER_THREADS
    assert lazy_runner.interactions._max_workers == lazy.INTERACTION_THREADS


class FakeRequest:
    def __init__(self, body):
        self.body = body


def test_commands_that_open_modals_go_where_nothing_waits(engine):
    app = make_app(engine)
    is_answer = app._listener_runner.lazy_listener_runner.is_answer
    for text in ("status", "status AN1", "help", "check", "reflect 2027", "", "nonsense"):
        assert is_answer(FakeRequest({"command": "/hoshin", "text": text})), text
    for text in ("propose AN1", "revise AN1.1", "action AN1 Do it", "new annual", "edit AN1"):
        assert not is_answer(FakeRequest({"command": "/hoshin", "text": text})), text
    assert not is_answer(FakeRequest({"type": "block_actions", "actions": []}))
    assert not is_answer(FakeRequest({"type": "view_submission"}))


# ---- answers wait for the acks in flight (bot.lazy.AckGate) ----------------------------------


def test_the_gate_is_open_when_nothing_is_being_acked():
    gate = lazy.AckGate(patience=5.0)
    assert gate.wait_quiet(time.monotonic()) is True


def test_an_answer_waits_until_the_last_ack_in_flight_is_out():
    gate = lazy.AckGate(patience=30.0)
    first, second = gate.acking(), gate.acking()
    first.__enter__(), second.__enter__()
    waited = []
    waiter = threading.Thread(target=lambda: waited.append(gate.wait_quiet(time.monotonic())))
    waiter.start()
    first.__exit__(None, None, None)
    waiter.join(timeout=0.3)
    assert waiter.is_alive(), "the answer went ahead while a request was still being acked"
    second.__exit__(None, None, None)
    waiter.join(timeout=5)
    assert waited == [True]


def test_an_answer_waits_for_a_quiet_moment_after_the_last_ack():
    # Under a burst the count touches zero between two requests: that is not yet quiet.
    assert lazy.AckGate().quiet == lazy.QUIET > 0
    gate = lazy.AckGate(patience=30.0, quiet=0.3)
    with gate.acking():
        pass
    released = time.monotonic()
    assert gate.wait_quiet(released) is True
    assert time.monotonic() - released >= 0.29


def test_an_answer_waits_no_longer_than_its_patience():
    gate = lazy.AckGate(patience=0.2)
    with gate.acking():
        started = time.monotonic()
        assert gate.wait_quiet(started) is False
        assert time.monotonic() - started >= 0.2
        # an answer queued long ago does not wait again
        assert gate.wait_quiet(started - 1.0) is False


def test_the_runner_holds_answers_at_the_gate_but_never_interactions():
    gate = lazy.AckGate(patience=30.0)
    ran = {"answer": threading.Event(), "interaction": threading.Event()}
    with ThreadPoolExecutor(1) as answers, ThreadPoolExecutor(1) as interactions:
        runner = lazy.RoutedLazyRunner(
            logging.getLogger("test"),
            answers=answers,
            interactions=interactions,
            is_answer=lambda request: request.body.get("command") == "/hoshin",
            gate=gate,
        )
        with gate.acking():
            runner.start(lambda: ran["answer"].set(), BoltRequest(body="command=%2Fhoshin"))
            runner.start(lambda: ran["interaction"].set(), BoltRequest(body='{"type":"x"}'))
            assert ran["interaction"].wait(5), "an interaction waited at the gate"
            assert not ran["answer"].wait(0.3), "an answer ran while a request was being acked"
        assert ran["answer"].wait(5)


HTTP_BODY = "command=%2Fhoshin&text=status&team_id=T1&user_id=U1"
SOCKET_BODY = {"command": "/hoshin", "text": "status", "team_id": "T1", "user_id": "U1"}


@pytest.mark.parametrize("mode", ["http", "socket_mode"])
def test_a_lazy_listener_gets_a_request_of_its_own(engine, mode):
    runner = make_app(engine)._listener_runner
    assert isinstance(runner, lazy.LeanListenerRunner)
    body = HTTP_BODY if mode == "http" else copy.deepcopy(SOCKET_BODY)
    request = BoltRequest(body=body, mode=mode)
    request.context["team_id"] = "T1"
    request.context["found"] = {"objectives": ["AN1"]}  # a value a middleware might add

    copied = runner._build_lazy_request(request, "status")

    assert copied.lazy_only and copied.lazy_function_name == "status"
    assert copied.context["listener_runner"] is runner
    assert copied.context.team_id == "T1"
    assert copied.body == request.body and copied.body is not request.body
    copied.body["text"] = "changed by the lazy listener"
    assert request.body["text"] == "status"
    assert copied.context["found"] == request.context["found"]
    copied.context["found"]["objectives"].append("AN2")
    assert request.context["found"] == {"objectives": ["AN1"]}
