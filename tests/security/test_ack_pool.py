"""Acks have a thread pool of their own, and answers one apart from the modals' lazy work:
under a burst acks never queue behind slow answers, nor modals (whose trigger_id expires)."""

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
