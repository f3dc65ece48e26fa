"""Both app manifests are valid against Slack's schema and ask only for what the bot uses."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot import ids

ROOT = Path(__file__).resolve().parent.parent
# Slack's manifest schema, vendored with its MIT licence (slackapi/manifest-schema v0.5.0).
SCHEMA = ROOT / "tests" / "fixtures" / "slack" / "manifest.schema.1.0.0.json"
MANIFESTS = ["manifest.yml", "manifest.http.yml"]


@pytest.fixture(scope="module")
def schema():
    return json.loads(SCHEMA.read_text())


@pytest.mark.parametrize("name", MANIFESTS)
def test_manifest_is_valid(schema, name):
    manifest = yaml.safe_load((ROOT / name).read_text())
    jsonschema.validate(manifest, schema)


@pytest.mark.parametrize("name", MANIFESTS)
def test_manifest_declares_what_the_code_serves(name):
    manifest = yaml.safe_load((ROOT / name).read_text())
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert commands == [ids.SLASH_COMMAND]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert set(manifest["oauth_config"]["scopes"]["bot"]) <= {
        "commands",
        "chat:write",
        "im:write",
        "im:history",
        "users:read",
        "channels:history",
        "groups:history",
        "files:write",  # the year-end chart (issue 5)
        "files:read",  # files.info: was a chart shared after a failed upload?
    }


def listened_events(app) -> set[str]:
    """Event types a Bolt app listens to, read from its listeners' matchers."""
    found = set()
    for listener in app._listeners:
        for matcher in listener.matchers:
            func = getattr(matcher, "func", None)
            if func is None or not func.__qualname__.startswith("event.") or not func.__closure__:
                continue
            for cell in func.__closure__:
                value = cell.cell_contents
                if isinstance(value, str):
                    found.add(value)
                elif isinstance(value, dict) and "type" in value:
                    found.add(value["type"])
    return found


def test_listened_events_are_detected():
    from slack_bolt import App

    app = App(token="xoxb-1", signing_secret="s", token_verification_enabled=False)
    app.event("app_home_opened")(lambda: None)
    assert listened_events(app) == {"app_home_opened"}


@pytest.mark.parametrize("name", MANIFESTS)
def test_every_event_the_code_listens_to_is_subscribed(name):
    from bot.app import create_app
    from bot.clock import SystemClock
    from bot.services import Services
    from bot.settings import Settings
    from storage.db import make_engine

    settings = Settings(_env_file=None, slack_bot_token="xoxb-1", slack_signing_secret="s")
    app = create_app(Services(settings, make_engine("sqlite://"), SystemClock()))
    manifest = yaml.safe_load((ROOT / name).read_text())
    subscribed = set(manifest["settings"].get("event_subscriptions", {}).get("bot_events", []))
    # Messages are subscribed per kind of conversation (message.im, message.channels…) and
    # each arrives as an event of type "message".
    subscribed |= {"message" for event in subscribed if event.startswith("message.")}
    assert listened_events(app) <= subscribed


def test_variants_differ_only_in_how_slack_reaches_the_bot():
    socket = yaml.safe_load((ROOT / "manifest.yml").read_text())
    http = yaml.safe_load((ROOT / "manifest.http.yml").read_text())
    assert socket["settings"]["socket_mode_enabled"] is True
    assert http["settings"]["socket_mode_enabled"] is False
    assert http["settings"]["interactivity"]["request_url"].endswith("/slack/events")
    assert socket["oauth_config"] == http["oauth_config"]
