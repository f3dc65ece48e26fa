"""Acks have a thread pool of their own: under a burst they never queue behind slow answers."""

from bot import app as composition
from bot.app import create_app
from bot.clock import SystemClock
from bot.services import Services
from bot.settings import Settings


def test_lazy_answers_run_on_their_own_small_pool(engine):
    settings = Settings(
        _env_file=None,
        slack_bot_token="xoxb-pool",
        slack_signing_secret="pool-secret",
        slack_api_url="http://127.0.0.1:9/api/",
        database_url=str(engine.url),
    )
    app = create_app(Services(settings=settings, engine=engine, clock=SystemClock()))
    runner = app._listener_runner
    acks, lazy = runner.listener_executor, runner.lazy_listener_runner.executor
    assert acks is not lazy
    assert acks._max_workers == composition.ACK_THREADS > lazy._max_workers
    assert lazy._max_workers == composition.LAZY_THREADS
