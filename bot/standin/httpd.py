"""HTTP layer of the Slack stand-in: request parsing, routing and the /_standin control surface."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from .api_views_files import multipart_parts
from .state import as_dict

if TYPE_CHECKING:
    from .dispatch import Answer
    from .server import SlackStandIn

log = logging.getLogger(__name__)

# Arguments Slack takes as JSON-encoded strings in form posts; decoded so tests see objects.
JSON_FIELDS = ("blocks", "attachments", "view", "files", "metadata")


def parse_args(query: str, content_type: str, body: bytes) -> tuple[dict, str | None]:
    """Merged query, form, multipart or JSON arguments, and Slack's error for an unreadable body."""
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";", 1)[0].strip().lower()
    error = None
    if body:
        if kind == "application/json":
            try:
                obj = json.loads(body)
            except ValueError:
                obj, error = {}, "invalid_json"
            if isinstance(obj, dict):
                args.update(obj)
            else:
                error = "invalid_json"
        elif kind == "multipart/form-data":
            args.update(multipart_parts(content_type, body))
        else:
            args.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    for key in JSON_FIELDS:
        value = args.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            # Undecodable values stay strings: the method answers invalid_blocks_format and such.
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    # slack_sdk may send nulls in JSON bodies; Slack treats them as absent.
    return {k: v for k, v in args.items() if v is not None}, error


class StandInServer(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops connections when a fan-out opens many at once, and the
    # client's SYN retry then adds a second: a delay Slack would not cause.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], standin: SlackStandIn) -> None:
        super().__init__(address, StandInHandler)
        self.standin = standin


class StandInHandler(BaseHTTPRequestHandler):
    """One request; the stand-in does the work under its lock, this class does the I/O."""

    protocol_version = "HTTP/1.1"
    server_version = "SlackStandIn/1.0"

    @property
    def standin(self) -> SlackStandIn:
        return self.server.standin  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the recorded calls are the log

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _route(self) -> None:
        try:
            self._dispatch()
        except Exception:
            # A stand-in bug should read as one, not as Slack dropping the connection.
            log.exception("stand-in failed on %s %s", self.command, self.path)
            self._write(500, {"ok": False, "error": "standin_failure"}, {})

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        body = self._read_body()
        ctype = self.headers.get("Content-Type") or ""
        segments = [s for s in parts.path.split("/") if s]
        head = segments[0] if segments else ""
        rest = "/".join(segments[1:])
        if head == "api" and rest:
            args, error = parse_args(parts.query, ctype, body)
            auth = self.headers.get("Authorization") or ""
            token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
            form_token = args.pop("token", None)
            self._send(self.standin.handle_api(rest, args, token or form_token, error))
        elif head == "response" and rest and self.command == "POST":
            try:
                payload: Any = json.loads(body or b"{}")
            except ValueError:
                payload = body.decode("utf-8", "replace")  # answered 400 invalid_payload
            self._send(self.standin.handle_response_url(rest, payload))
        elif head == "upload" and rest and self.command == "POST":
            self._send(self.standin.handle_upload(rest, ctype, body))
        elif head == "_standin" and rest:
            self._control(rest, parts.query, body)
        else:
            self._write(404, "not_found", {})

    def _send(self, answer: Answer) -> None:
        if answer.delay:
            time.sleep(answer.delay)  # outside the lock: other requests carry on meanwhile
        if answer.drop:
            self.close_connection = True
            return
        self._write(answer.status, answer.payload, answer.headers)

    def _write(self, status: int, payload: Any, headers: dict[str, str]) -> None:
        if isinstance(payload, str):
            data, ctype = payload.encode(), "text/plain; charset=utf-8"
        else:
            data, ctype = json.dumps(payload).encode(), "application/json; charset=utf-8"
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a timeout test, say)

    # ---- control surface -------------------------------------------------------------------------

    def _control(self, name: str, query: str, body: bytes) -> None:
        q = dict(parse_qsl(query))
        try:
            data = json.loads(body) if body else {}
            if self.command == "GET":
                result = self._control_get(name, q)
            else:
                result = self._control_post(name, data)
        except (TypeError, ValueError, KeyError) as e:
            self._write(400, {"ok": False, "error": f"{type(e).__name__}: {e}"}, {})
            return
        if result is None:
            self._write(404, {"ok": False, "error": "unknown_control"}, {})
        else:
            self._write(200, {"ok": True, **as_dict(result)}, {})

    def _control_get(self, name: str, q: dict) -> dict | None:
        s = self.standin
        if name == "calls":
            calls = s.calls_to(q["method"]) if "method" in q else s.calls
            return {"calls": calls}
        if name == "messages":
            return {"messages": s.messages(q.get("channel"))}
        if name == "ephemerals":
            return {"ephemerals": s.ephemerals(q.get("channel"), q.get("user"))}
        if name == "files":
            return {"files": s.files}
        if name == "views":
            return {"views": s.views, "home_views": s.home_views}
        if name == "response_posts":
            return {"response_posts": s.response_posts(q.get("url"))}
        if name == "stats":
            return {"stats": s.stats()}
        return None

    def _control_post(self, name: str, data: Any) -> dict | None:
        s = self.standin
        if name == "inject":
            s.inject(data.pop("method"), **data)
            return {}
        if name == "reset":
            s.reset()
            return {}
        if name in ("users", "channels"):
            add = s.add_user if name == "users" else s.add_channel
            for entry in data if isinstance(data, list) else [data]:
                entry = dict(entry)
                add(entry.pop("id"), **entry)
            return {}
        if name == "revoke_token":
            s.revoke_token()
            return {}
        if name == "triggers":
            return {"trigger_id": s.new_trigger_id(data.get("view_id"))}
        if name == "response_urls":
            return {"response_url": s.new_response_url(**data)}
        return None
