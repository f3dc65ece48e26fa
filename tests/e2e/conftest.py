"""The end-to-end bed: the Slack stand-in, the real app over real HTTP, and signed requests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy import Engine

from bot.app import HoshinApp, create_app
from bot.clock import ManualClock
from bot.server import BackgroundServer, start_http_in_background
from bot.services import Services
from bot.settings import Settings
from bot.standin import SlackStandIn
from bot.standin.inbound import Delivery, SlackSender
from bot.standin.inbound_socket import EnvelopeSender
from bot.standin.slack_side import SlackSide
from storage.db import make_engine
from tests.text import visible_text

TEAM = "T0ACME"
BOT_TOKEN = "xoxb-e2e-test-token"
SIGNING_SECRET = "e2e-signing-secret-0123456789abcdef"


@dataclass
class SlackBed:
    standin: SlackStandIn
    sender: SlackSender | EnvelopeSender
    engine: Engine
    clock: ManualClock
    server: BackgroundServer
    settings: Settings
    app: HoshinApp

    @property
    def ui(self) -> SlackSide:
        """A person's side of Slack: type commands, open and submit modals, read DMs, click."""
        return SlackSide(self.sender, self.standin)

    def command(self, user_id: str, text: str, **kwargs) -> dict:
        """Type `/hoshin text` as `user_id`; return what the bot posted to the response_url."""
        delivery = self.sender.slash_command(user_id=user_id, text=text, **kwargs)
        assert delivery.status == 200, delivery.body
        return self.answer_to(delivery)

    def opened_view(self, callback_id: str, timeout: float = 10.0) -> dict:
        """The latest modal the bot opened with this callback id (as views.open sent it)."""

        def find(s):
            calls = [
                c
                for c in s.calls_to("views.open") + s.calls_to("views.push")
                if c.ok and (c.args.get("view") or {}).get("callback_id") == callback_id
            ]
            return calls[-1] if calls else None

        assert self.standin.wait_for(find, timeout=timeout), f"no modal {callback_id} was opened"
        call = find(self.standin)
        return {**call.args["view"], "id": call.response["view"]["id"]}

    def submit(self, user_id: str, view: dict, values: dict) -> Delivery:
        """Submit a modal; the Delivery's json() is the app's ack (None when the modal closes)."""
        delivery = self.sender.submit_view(user_id=user_id, view=view, values=values)
        assert delivery.status == 200, delivery.body
        return delivery

    def answer_to(self, delivery: Delivery, count: int = 1, timeout: float = 10.0) -> dict:
        url = delivery.response_url
        assert self.standin.wait_for(
            lambda s: len(s.response_posts(url)) >= count, timeout=timeout
        ), f"no answer at the response_url within {timeout}s"
        return self.standin.response_posts(url)[count - 1]


def visible(payload: dict) -> str:
    """Every piece of text a person would see in a posted payload."""
    return payload.get("text", "") + "\n" + visible_text(payload.get("blocks") or [])


@pytest.fixture
def slack(database_url) -> Iterator[SlackBed]:
    with bed(database_url) as s:
        yield s


@pytest.fixture
def socket_slack(database_url) -> Iterator[SlackBed]:
    """The same bed with the app on Socket Mode: what the sender sends arrives as envelopes."""
    with bed(database_url, socket_mode=True) as s:
        yield s


@contextmanager
def bed(database_url: str, *, socket_mode: bool = False, **settings: Any) -> Iterator[SlackBed]:
    standin = SlackStandIn(team_id=TEAM, bot_token=BOT_TOKEN)
    standin.start()
    settings = Settings(
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_app_token=standin.app_token if socket_mode else None,
        slack_api_url=standin.api_url,
        database_url=database_url,
        **settings,
    )
    engine = make_engine(database_url)
    clock = ManualClock(datetime(2027, 6, 15, 9, 0, tzinfo=UTC))
    app = create_app(Services(settings=settings, engine=engine, clock=clock))
    server = start_http_in_background(app, engine)  # in Socket Mode, for /healthz alone
    sender: SlackSender | EnvelopeSender
    handler = None
    if socket_mode:
        handler = SocketModeHandler(app, standin.app_token)
        handler.connect()
        standin.socket.wait_for_links(1)
        sender = EnvelopeSender(standin, team_id=TEAM)
    else:
        sender = SlackSender(
            server.url, signing_secret=SIGNING_SECRET, standin=standin, team_id=TEAM
        )
    try:
        yield SlackBed(standin, sender, engine, clock, server, settings, app)
    finally:
        if handler is not None:
            # slack_sdk's close waits out its reader's 3 s socket timeout: let it end on its own,
            # without reconnecting to the stand-in stopped below.
            handler.client.auto_reconnect_enabled = False
            threading.Thread(target=handler.close, daemon=True).start()
        server.stop()
        app.close()
        standin.stop()
        engine.dispose()


def dumps(value) -> str:
    return json.dumps(value, sort_keys=True)
