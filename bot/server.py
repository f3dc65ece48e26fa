"""Serving Slack's HTTP requests at /slack/events (plus /healthz) with uvicorn and Starlette."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

log = logging.getLogger(__name__)


def create_web_app(app: App, engine: Engine) -> Starlette:
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        # Bolt's dispatch is synchronous: run it off the event loop so one slow request never
        # holds up another's 3-second ack.
        bolt_response = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    async def healthz(_: Request) -> Response:
        try:
            await run_in_threadpool(_ping, engine)
        except Exception as exc:
            log.error("health check: database unavailable (%s)", exc.__class__.__name__)
            return JSONResponse({"ok": False, "database": "unavailable"}, status_code=503)
        return JSONResponse({"ok": True, "database": "ok"})

    return Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def _ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def serve_http(app: App, engine: Engine, *, host: str, port: int) -> None:
    """Serve until SIGINT/SIGTERM; uvicorn finishes requests in flight before it exits."""
    config = uvicorn.Config(
        create_web_app(app, engine), host=host, port=port, log_level="warning", access_log=False
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
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_http_in_background(app: App, engine: Engine, *, port: int = 0) -> BackgroundServer:
    config = uvicorn.Config(
        create_web_app(app, engine),
        host="127.0.0.1",
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
