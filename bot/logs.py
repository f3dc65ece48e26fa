"""Logging set-up: text or JSON lines, request and job context on every line, no secrets.

Bolt logs the body of a request that fails verification at INFO and slack_sdk logs request
payloads at DEBUG, so both stay at WARNING: message bodies and secrets never reach the logs.
Our own lines carry ids only. As a last guard, anything shaped like a Slack token, and the
configured secrets themselves, are masked in every line whatever logged it.

The context (workspace, request id, job name and run id) lives in contextvars: set once where
a request or a job run starts (`log_context`), it reaches every line logged beneath, across
Starlette's thread pool and Bolt's lazy listeners (`bot.app` copies the context into them).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime

QUIET_LOGGERS = ("slack_bolt", "slack_sdk", "urllib3", "uvicorn.access", "apscheduler")
CONTEXT_FIELDS = ("workspace", "request_id", "job", "run_id")
TOKEN = re.compile(r"\bx(?:ox[abpersc]|app)-[A-Za-z0-9-]+")
MASK = "[redacted]"

_context: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "hoshin_log_context", default=None
)


@contextmanager
def log_context(**fields: str | int | None) -> Iterator[None]:
    """Add fields to every line logged inside the block (None values are left out)."""
    token = _context.set(
        {**(_context.get() or {}), **{k: str(v) for k, v in fields.items() if v is not None}}
    )
    try:
        yield
    finally:
        _context.reset(token)


def bind(**fields: str | int | None) -> None:
    """Add fields for the rest of the current context (a request's, once its team is known)."""
    _context.set(
        {**(_context.get() or {}), **{k: str(v) for k, v in fields.items() if v is not None}}
    )


def current_context() -> dict[str, str]:
    return dict(_context.get() or {})


class ContextThreadPool(ThreadPoolExecutor):
    """A thread pool whose tasks run in the submitter's context, so their lines carry its ids."""

    def submit(self, fn, /, *args, **kwargs):
        return super().submit(contextvars.copy_context().run, fn, *args, **kwargs)


class ContextFilter(logging.Filter):
    """Stamps the context on each record and masks secrets in its message."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def scrub(self, text: str) -> str:
        text = TOKEN.sub(MASK, text)
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.hoshin = current_context()
        message = record.getMessage()
        clean = self.scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = getattr(record, "hoshin", None) or {}
        if context:
            line += " [" + " ".join(f"{k}={context[k]}" for k in CONTEXT_FIELDS if k in context)
            line += "]"
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the context, the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "hoshin", None) or {})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def resolve_format(log_format: str, stream=None) -> str:
    """`auto` is JSON when the logs go to a file, a pipe or a collector, text on a terminal."""
    if log_format in ("json", "text"):
        return log_format
    stream = stream or sys.stderr
    return "text" if getattr(stream, "isatty", lambda: False)() else "json"


def configure_logging(
    level: str = "INFO", log_format: str = "text", secrets: Iterable[str] = ()
) -> None:
    handler = logging.StreamHandler()
    chosen = resolve_format(log_format, handler.stream)
    handler.setFormatter(JsonFormatter() if chosen == "json" else TextFormatter())
    handler.addFilter(ContextFilter(secrets))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    quiet()


def quiet() -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
