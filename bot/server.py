"""Serving Slack's HTTP requests at /slack/events, plus GET /healthz and GET /metrics (uvicorn)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import uvicorn
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.starlette.handler import to_starlette_response
from slack_bolt.middleware.request_verification import RequestVerification
from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot import metrics
from bot.body_limit import DEFAULT_MAX_BODY_BYTES, BodyLimit
from bot.logs import log_context
from bot.scope import team_id_of
from handlers.request_shape import (
    MalformedRequest,
    SlackRequest,
    check_shape,
    parse_request_body,
)
from schedules.scheduler import JOBS_STALE_SECONDS
from storage.db import session_scope
from storage.outbox import queue as outbox

log = logging.getLogger(__name__)

# A leader whose last heartbeat is older than this has stopped running the jobs (its lease is
# 15 s; a follower takes over well within this).
LEASE_STALE_SECONDS = 30.0
# Heartbeats and job runs are stamped by the clock /healthz reads (the database's), so one ahead of
# it by more than a moment was stamped before that clock stepped back, and no live leader has
# renewed (or run a job) since: as stale as an old one, however recent its negative age looks.
HEARTBEAT_AHEAD_SECONDS = 5.0


class Leadership(Protocol):
    """What /healthz asks of the leader election (schedules.leader.LeaderElection)."""

    holder: str
    lease_seconds: float

    def is_leader(self) -> bool: ...

    def lease(self) -> Any: ...

    def now(self) -> datetime: ...


def create_web_app(
    app: App,
    engine: Engine,
    *,
    leadership: Leadership | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> BodyLimit:
    """The endpoints, every one behind the body cap (413 before a body over it is read)."""
    # Once its body is in, a request counts as being acked until its answer is returned:
    # answers wait for a quiet moment (bot.lazy.AckGate; a bare Bolt app has no gate).
    gate = getattr(app, "ack_gate", None)
    verification = _verification_of(app)

    async def slack_events(request: Request) -> Response:
        started = time.perf_counter()
        body = await request.body()
        with gate.acking() if gate is not None else nullcontext():
            return await _answer(request, body, started)

    async def _answer(request: Request, body: bytes, started: float) -> Response:
        bolt_request = _read(verification, request, body)
        if not isinstance(bolt_request, BoltRequest):
            kind, status, problem = bolt_request
            metrics.observe_ack(kind, status, time.perf_counter() - started)
            if status == 401:  # as Bolt answers it
                return JSONResponse({"error": "invalid request"}, status_code=401)
            log.warning("refused a malformed request: %s", problem)
            return Response(f"malformed request: {problem}", status_code=400)
        kind = _kind(bolt_request.body)
        request_id = request.headers.get("x-request-id") or _event_id(bolt_request.body)
        with log_context(
            request_id=request_id or uuid.uuid4().hex[:12],
            workspace=(team_id_of(bolt_request.body) or "")[:20] or None,
        ):
            # Bolt's dispatch is synchronous: run it off the event loop so one slow request
            # never holds up another's 3-second ack. The log context goes with it.
            bolt_response = await run_in_threadpool(app.dispatch, bolt_request)
            seconds = time.perf_counter() - started
            metrics.observe_ack(kind, bolt_response.status, seconds)
            log.info("%s answered %d in %.0f ms", kind, bolt_response.status, seconds * 1000)
        return to_starlette_response(bolt_response)

    async def healthz(_: Request) -> Response:
        try:
            report = await run_in_threadpool(_health, engine, leadership)
        except Exception as exc:
            log.error("health check: database unavailable (%s)", exc.__class__.__name__)
            return JSONResponse({"ok": False, "database": "unavailable"}, status_code=503)
        # 503 means "this instance cannot serve Slack" (its database is down), so a load
        # balancer takes it out. A stale scheduler lease is everyone's problem, not this
        # instance's: it is reported (ok false, "degraded") without emptying the pool.
        return JSONResponse(report, status_code=200)

    async def metrics_endpoint(_: Request) -> Response:
        try:
            counts = await run_in_threadpool(_outbox_counts, engine)
        except Exception as exc:  # the other metrics still say something useful
            log.warning("metrics: outbox depth unavailable (%s)", exc.__class__.__name__)
        else:
            metrics.set_outbox_depth(counts)
        data, content_type = metrics.exposition()
        return Response(data, media_type=content_type)

    routes = Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
        ]
    )
    # Around the whole app, not per route: endpoints added later are capped too.
    return BodyLimit(routes, max_bytes=max_body_bytes)


def _verification_of(app: App) -> RequestVerification | None:
    """Bolt's signature check, unless the app was built without it."""
    middleware = app._middleware_list  # Bolt offers no public way to find it
    return next((m for m in middleware if isinstance(m, RequestVerification)), None)


def _read(
    verification: RequestVerification | None, request: Request, body: bytes
) -> BoltRequest | tuple[str, int, str]:
    """The request for Bolt, or (kind, status, problem) when it is refused before Bolt sees it.

    The signature is checked before the body is parsed (Bolt parses first, and a body of the
    wrong shape made its context, our middleware or a listener raise: HTTP 500). Signed but
    malformed is a 400 with the problem named in our own words; Bolt checks the signature again.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "malformed", 400, "the body is not UTF-8"
    if verification is not None:
        headers = request.headers
        try:
            signed = verification.verifier.is_valid(
                text, headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
            )
        except ValueError:  # a timestamp that is not a number
            signed = False
        if not signed:
            return "unsigned", 401, ""
    failure = ""
    try:
        bolt_request: BoltRequest | None = SlackRequest(
            body=text, query=request.query_params, headers=request.headers
        )
    except Exception as exc:  # Bolt could not parse it or build its context from it: see why
        bolt_request, failure = None, exc.__class__.__name__
    try:
        if bolt_request is not None:
            check_shape(bolt_request.body)
        else:  # parsed once more, as Bolt does, to name the problem (refused requests only)
            parse_request_body(text, request.headers.get("content-type"))
    except MalformedRequest as exc:
        return "malformed", 400, exc.problem
    if bolt_request is None:  # a shape handlers/request_shape.py does not know yet
        return "malformed", 400, f"Bolt cannot read the body ({failure})"
    return bolt_request


def _kind(body: dict[str, Any]) -> str:
    """The kind of a Slack request for metrics: one of a few fixed words, never user input."""
    if body.get("command"):
        return "command"
    kind = body.get("type")
    return kind if kind in REQUEST_KINDS else "other"


REQUEST_KINDS = frozenset(
    {
        "event_callback",
        "url_verification",
        "block_actions",
        "block_suggestion",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "app_rate_limited",
    }
)


def _event_id(body: dict[str, Any]) -> str | None:
    event_id = body.get("event_id")
    return event_id[:40] if isinstance(event_id, str) else None


def _ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _outbox_counts(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        return outbox.counts_by_state(session)


def _health(engine: Engine, leadership: Leadership | None) -> dict[str, Any]:
    """The database answers, and (when this process takes part) someone holds a fresh lease and
    its scheduler has started a job recently."""
    _ping(engine)
    report: dict[str, Any] = {"ok": True, "database": "ok"}
    if leadership is None:
        return report
    lease = leadership.lease()
    scheduler: dict[str, Any] = {
        "instance": leadership.holder,
        "role": "leader" if leadership.is_leader() else "follower",
        "leader": None,
        "heartbeat_age_seconds": None,
        "lease": "missing",
        "jobs_ran_age_seconds": None,
        "jobs": "missing",
    }
    reason = "no instance has run the jobs: none holds the scheduler lease"
    if lease is not None:
        now = leadership.now()
        age = (now - lease.heartbeat_at).total_seconds()
        reason = _stale(age)
        # A renewed lease says the election's thread lives, not that the jobs run (a leader's
        # scheduler can wait on a wall clock stepped back while the lease renews): every job
        # start is stamped, and its age judged too. Before the first stamp, the time led.
        ran = lease.jobs_ran_at
        ran_age = (now - (ran or lease.acquired_at)).total_seconds()
        jobs_reason = _jobs_stale(ran_age, since_elected=ran is None)
        scheduler.update(
            leader=lease.holder if lease.held(now, leadership.lease_seconds) else None,
            heartbeat_age_seconds=round(age, 1),
            lease="stale" if reason else "ok",
            jobs_ran_age_seconds=None if ran is None else round(ran_age, 1),
            jobs="stale" if jobs_reason else "ok",
        )
        reason = reason or jobs_reason
    report["scheduler"] = scheduler
    report["ok"] = reason is None
    if not report["ok"]:
        report["degraded"] = reason
    return report


def _stale(age: float) -> str | None:
    """Why a lease heartbeat `age` seconds old says the jobs are not running; None if fresh."""
    if age < -HEARTBEAT_AHEAD_SECONDS:
        return (
            f"no instance has run the jobs since the clock stepped back: the scheduler lease's "
            f"last heartbeat lies {-age:.0f} s in the future"
        )
    if age > LEASE_STALE_SECONDS:
        return (
            f"no instance has run the jobs for {age:.0f} s (the scheduler lease's last heartbeat)"
        )
    return None


def _jobs_stale(age: float, *, since_elected: bool) -> str | None:
    """Why a last job start `age` seconds ago says the jobs are not running; None if recent."""
    if age < -HEARTBEAT_AHEAD_SECONDS:
        return (
            f"no instance has run the jobs since the clock stepped back: the last job run "
            f"lies {-age:.0f} s in the future"
        )
    if age > JOBS_STALE_SECONDS:
        what = "the leader took the lease" if since_elected else "the last job run"
        return (
            f"no instance has run the jobs for {age:.0f} s ({what}; the scheduler lease is "
            f"renewed, but its jobs do not start)"
        )
    return None


def serve_http(
    app: App,
    engine: Engine,
    *,
    host: str,
    port: int,
    leadership: Leadership | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> None:
    """Serve until SIGINT/SIGTERM; uvicorn stops accepting, finishes requests in flight, exits."""
    config = uvicorn.Config(
        create_web_app(app, engine, leadership=leadership, max_body_bytes=max_body_bytes),
        host=host,
        port=port,
        log_level="warning",
        log_config=None,  # uvicorn's lines go through our handler (JSON, masked) too
        access_log=False,
        timeout_graceful_shutdown=20,
    )
    uvicorn.Server(config).run()


@dataclass
class BackgroundServer:
    """The real HTTP server on a thread, for the demo and end-to-end tests."""

    server: uvicorn.Server
    thread: threading.Thread

    @property
    def port(self) -> int:
        return self.server.servers[0].sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        host = self.server.config.host
        return f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_http_in_background(
    app: App,
    engine: Engine,
    *,
    port: int = 0,
    host: str = "127.0.0.1",
    leadership: Leadership | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> BackgroundServer:
    """The server on a thread: the demo, end-to-end tests, and Socket Mode's /healthz and /metrics."""
    config = uvicorn.Config(
        create_web_app(app, engine, leadership=leadership, max_body_bytes=max_body_bytes),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the HTTP server did not start")
        time.sleep(0.01)
    return BackgroundServer(server, thread)
