"""The composition root: builds the one Bolt app that Socket Mode and HTTP both serve."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace

from slack_bolt import App, BoltResponse
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from bot.context import sign_with
from bot.lazy import (
    ANSWER_THREADS,
    INTERACTION_THREADS,
    AckGate,
    LeanListenerRunner,
    RoutedLazyRunner,
)
from bot.logs import ContextThreadPool, current_context, log_context, quiet
from bot.services import ReviewPoster, Services
from bot.slack_client import make_web_client

log = logging.getLogger(__name__)
# Bolt runs ack functions and lazy listeners on one pool of 5 threads by default, so under a
# burst the acks wait behind the slow answers (650 ms p50 at 50 concurrent in bench_acks).
# Acks get a pool of their own, wide enough for a burst; the lazy work two small ones
# (bot/lazy.py: answers one worker, after the acks in flight; interactions their own).
ACK_THREADS = 32


class HoshinApp(App):
    """Bolt's App, counting the requests it is acking so that answers can wait for them."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.ack_gate = AckGate()
        self.review_poster: ReviewPoster | None = None

    def close(self) -> None:
        """Stop the work the app does in the background (the review poster's thread)."""
        if self.review_poster is not None:
            self.review_poster.stop()

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        # HTTP and Socket Mode both come through here; lazy work starts during the dispatch
        # and, for answers, waits at the gate until this and every other ack is out.
        with self.ack_gate.acking():
            return super().dispatch(req)


def create_app(services: Services, *, client: WebClient | None = None) -> HoshinApp:
    """A Bolt app with every listener registered. Settings must hold the token and secret."""
    from handlers import register_all  # the composition root alone reaches into handlers/

    quiet()  # library loggers would otherwise log request bodies
    settings = services.settings
    settings.require("slack_bot_token", "slack_signing_secret")
    # The buttons and forms this app writes are signed, and read back only if they still are.
    sign_with(
        settings.slack_signing_secret.get_secret_value(),
        unsigned_until=settings.unsigned_buttons_until,
    )
    if services.review_poster is None:
        from schedules.review_poster import ReviewPoster as Poster

        services = replace(services, review_poster=Poster(services))
    app = HoshinApp(
        client=client or make_web_client(settings),
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        # auth.test runs on the first request instead of at import, so a bot can start (and
        # report its health) while Slack is briefly unreachable.
        token_verification_enabled=False,
        logger=logging.getLogger("slack_bolt.App"),
        # Both pools run tasks in the request's log context (its ids on every line).
        listener_executor=ContextThreadPool(ACK_THREADS, thread_name_prefix="bolt-ack"),
    )
    # Bolt takes one executor for acks and lazy work alike; its lazy runner is swapped for one
    # with pools of its own (and its listener runner for one that copies requests once).
    app._listener_runner = LeanListenerRunner.replacing(
        app._listener_runner,
        RoutedLazyRunner(
            app._framework_logger,
            answers=ContextThreadPool(ANSWER_THREADS, thread_name_prefix="bolt-answer"),
            interactions=ContextThreadPool(INTERACTION_THREADS, thread_name_prefix="bolt-lazy"),
            is_answer=lambda request: _is_answer(app, request),
            gate=app.ack_gate,
        ),
    )

    @app.middleware
    def log_ids(context, body, next) -> None:
        # HTTP requests got their request id in bot.server; Socket Mode ones get it here.
        request_id = current_context().get("request_id") or body.get("event_id")
        with log_context(workspace=context.team_id, request_id=request_id or uuid.uuid4().hex[:12]):
            next()

    app.registry = register_all(app, services)  # type: ignore[attr-defined]
    app.review_poster = services.review_poster  # its thread is stopped with the app (close)

    @app.error
    def on_error(error, body, logger) -> None:
        # Listener errors are answered by the listeners themselves; this catches the rest
        # without logging the request body.
        logger.error("unhandled error in a listener: %s", error.__class__.__name__)

    return app


def _is_answer(app: App, request: BoltRequest) -> bool:
    """A `/hoshin` subcommand answered through its response_url, not one that opens a modal."""
    body = request.body or {}
    if not body.get("command"):
        return False
    subcommand, _, _ = app.registry.route(body.get("text") or "")  # type: ignore[attr-defined]
    return subcommand is None or not subcommand.opens_modal  # unknown words get the help
