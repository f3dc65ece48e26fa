"""A bare Bolt app that only acks `/hoshin`, served the same way as Hoshin Bot: the baseline."""

from __future__ import annotations

import os
import sys

from slack_bolt import App
from slack_sdk import WebClient

from bot.server import serve_http
from storage.db import make_engine


def main() -> None:
    port = int(sys.argv[1])
    app = App(
        client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token_verification_enabled=False,
    )
    app.command("/hoshin")(lambda ack: ack())
    serve_http(app, make_engine(os.environ["DATABASE_URL"]), host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
