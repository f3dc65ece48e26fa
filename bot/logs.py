"""Logging set-up: our logs at the configured level, and Slack libraries kept quiet.

Bolt logs the body of a request that fails verification at INFO and slack_sdk logs request
payloads at DEBUG, so both stay at WARNING: message bodies and secrets never reach the logs.
"""

from __future__ import annotations

import logging

QUIET_LOGGERS = ("slack_bolt", "slack_sdk", "urllib3", "uvicorn.access", "apscheduler")


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    quiet()


def quiet() -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
