"""Run the Slack stand-in on its own: `python -m bot.standin --port 8765`."""

from __future__ import annotations

import argparse
import contextlib
import threading

from .server import SlackStandIn


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.standin", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--rate-limit-scale", type=float, default=1.0)
    parser.add_argument("--no-rate-limits", action="store_true")
    parser.add_argument("--team-id", default="T0DEMO")
    parser.add_argument("--team-name", default="Demo Co")
    parser.add_argument("--bot-user-id", default="UHOSHINBOT")
    parser.add_argument("--bot-token", default="xoxb-test-token")
    parser.add_argument("--app-token", default="xapp-1-A0STANDIN-1-test", help="Socket Mode")
    ns = parser.parse_args(argv)
    standin = SlackStandIn(
        host=ns.host,
        port=ns.port,
        team_id=ns.team_id,
        team_name=ns.team_name,
        bot_user_id=ns.bot_user_id,
        bot_token=ns.bot_token,
        app_token=ns.app_token,
        rate_limit_scale=ns.rate_limit_scale,
        rate_limits=not ns.no_rate_limits,
    )
    with standin:
        print(standin.api_url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
