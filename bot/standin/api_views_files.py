"""views.* and the files upload flow of the Slack stand-in (mixed into SlackStandIn)."""

from __future__ import annotations

import email.parser
import email.policy
import secrets
import time
from typing import Any

from .blockkit import view_problem
from .state import ApiError, StoredFile

MAX_VIEW_STACK = 3  # Slack: a root view plus at most two pushed views


def _hash() -> str:
    return f"{int(time.time())}.{secrets.token_hex(4)}"


def multipart_parts(content_type: str, body: bytes) -> dict[str, Any]:
    """Fields of a multipart/form-data body: str for plain fields, bytes for file parts."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, Any] = {}
    if not msg.is_multipart():
        return fields
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            fields[str(name)] = payload
            fields.setdefault("filename", part.get_filename())
        else:
            fields[str(name)] = payload.decode("utf-8", "replace")
    return fields


class ViewsFilesApi:
    """Modals, the Home tab and file uploads.

    Every method here runs under SlackStandIn's lock; state lives on SlackStandIn.
    """

    _views: dict[str, dict]
    _home_views: dict[str, dict]
    _view_stacks: dict[str, list[str]]
    _triggers: dict[str, dict]
    _files: dict[str, StoredFile]

    # ---- views ---------------------------------------------------------------------------------

    def _check_trigger(self, trigger_id: Any) -> dict:
        """The trigger record if it can still be exchanged for a view."""
        if not trigger_id:
            raise ApiError(
                "invalid_arguments", response_metadata={"messages": ["missing trigger_id"]}
            )
        trig = self._triggers.get(trigger_id)
        # Unknown ids are answered like expired ones: a stale id from an old payload is the
        # usual way a bot meets either, and its handling is the same.
        if trig is None or time.monotonic() > trig["expires"]:
            raise ApiError("expired_trigger_id")
        if trig["used"]:
            raise ApiError("exchanged_trigger_id")
        return trig

    def _checked_view(self, view: Any, expected_type: str | None) -> dict:
        code, errs = view_problem(view, expected_type=expected_type)
        if code:
            meta = {"messages": [f"[ERROR] {e}" for e in errs]}
            raise ApiError(code, errors=errs, response_metadata=meta)
        ext = view.get("external_id")
        if ext and any(v.get("external_id") == ext for v in self._views.values()):
            raise ApiError("duplicate_external_id")
        return view

    def _view_json(self, view: dict, vid: str, root: str, previous: str | None) -> dict:
        obj = {
            "id": vid,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": _hash(),
            "title": view.get("title"),
            "clear_on_close": bool(view.get("clear_on_close")),
            "notify_on_close": bool(view.get("notify_on_close")),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": previous,
            "root_view_id": root,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        return obj

    def _new_view_id(self) -> str:
        return f"V{next(self._seq):09d}"

    def _views_open(self, a: dict) -> dict:
        trig = self._check_trigger(a.get("trigger_id"))
        view = self._checked_view(a.get("view"), "modal")
        trig["used"] = True
        vid = self._new_view_id()
        self._views[vid] = self._view_json(view, vid, vid, None)
        self._view_stacks[vid] = [vid]
        return {"ok": True, "view": self._views[vid]}

    def _views_push(self, a: dict) -> dict:
        trig = self._check_trigger(a.get("trigger_id"))
        view = self._checked_view(a.get("view"), "modal")
        root = self._views.get(trig.get("view_id") or "", {}).get("root_view_id")
        if root is None and self._view_stacks:
            root = next(reversed(self._view_stacks))  # the most recently opened modal
        stack = self._view_stacks.get(root or "", [])
        if len(stack) >= MAX_VIEW_STACK:
            raise ApiError("push_limit_reached")
        trig["used"] = True
        vid = self._new_view_id()
        root = root or vid
        self._views[vid] = self._view_json(view, vid, root, stack[-1] if stack else None)
        self._view_stacks.setdefault(root, []).append(vid)
        return {"ok": True, "view": self._views[vid]}

    def _views_update(self, a: dict) -> dict:
        vid = a.get("view_id")
        if not vid and a.get("external_id"):
            ext = a["external_id"]
            vid = next((k for k, v in self._views.items() if v.get("external_id") == ext), None)
        current = self._views.get(vid or "")
        if current is None:
            raise ApiError("not_found")
        if a.get("hash") and a["hash"] != current["hash"]:
            raise ApiError("hash_conflict")
        view = a.get("view")
        if isinstance(view, dict) and view.get("external_id") == current.get("external_id"):
            view = {k: v for k, v in view.items() if k != "external_id"}
        view = self._checked_view(view, current["type"])
        new = self._view_json(
            view, current["id"], current["root_view_id"], current["previous_view_id"]
        )
        if "external_id" not in view:
            new["external_id"] = current.get("external_id", "")
        self._views[current["id"]] = new
        return {"ok": True, "view": new}

    def _views_publish(self, a: dict) -> dict:
        user_id = a.get("user_id")
        if user_id not in self._users:
            raise ApiError("user_not_found")
        current = self._home_views.get(user_id)
        if a.get("hash") and current is not None and a["hash"] != current["hash"]:
            raise ApiError("hash_conflict")
        code, errs = view_problem(a.get("view"), expected_type="home")
        if code:
            meta = {"messages": [f"[ERROR] {e}" for e in errs]}
            raise ApiError(code, errors=errs, response_metadata=meta)
        vid = current["id"] if current else self._new_view_id()
        self._home_views[user_id] = self._view_json(a["view"], vid, vid, None)
        return {"ok": True, "view": self._home_views[user_id]}

    # ---- files ---------------------------------------------------------------------------------

    def _files_getUploadURLExternal(self, a: dict) -> dict:
        filename = a.get("filename")
        try:
            length = int(a.get("length"))  # type: ignore[arg-type]
        except (TypeError, ValueError) as e:
            raise ApiError("invalid_arguments") from e
        if not filename or length < 0:
            raise ApiError("invalid_arguments")
        fid = f"F{next(self._seq):09d}"
        self._files[fid] = StoredFile(id=fid, filename=str(filename), title=None, length=length)
        return {"ok": True, "upload_url": f"{self.url}/upload/{fid}", "file_id": fid}

    def _receive_upload(self, file_id: str, content_type: str, body: bytes) -> tuple[int, str]:
        """The upload URL: raw bytes (as slack_sdk's files_upload_v2 sends) or a multipart file."""
        f = self._files.get(file_id)
        if f is None:
            return 404, "not_found"
        if content_type.lower().startswith("multipart/form-data"):
            parts = multipart_parts(content_type, body)
            file_part = parts.get("file")
            body = file_part if isinstance(file_part, bytes) else b""
        f.content = body
        f.uploaded = True
        return 200, f"OK - {len(body)}"

    def _files_completeUploadExternal(self, a: dict) -> dict:
        entries = a.get("files")
        if not isinstance(entries, list) or not entries:
            raise ApiError("invalid_arguments")
        stored = []
        for entry in entries:
            f = self._files.get(entry.get("id") if isinstance(entry, dict) else None)  # type: ignore[arg-type]
            if f is None or not f.uploaded:
                raise ApiError("file_not_found")
            stored.append((f, entry))
        targets = [a["channel_id"]] if a.get("channel_id") else []
        targets += [c for c in str(a.get("channels") or "").split(",") if c]
        channels = [self._resolve_post_channel(c) for c in targets]
        comment = a.get("initial_comment") or None
        thread_ts = a.get("thread_ts") or None
        for f, entry in stored:
            f.title = entry.get("title") or f.filename
            f.initial_comment = comment
            if channels:
                f.channel_id, f.thread_ts, f.shared = channels[0], thread_ts, True
        for channel in channels:
            # Sharing posts a message carrying the files, as in Slack (it counts as a reply).
            msg = self._store_message(
                channel,
                comment or "",
                None,
                thread_ts,
                self.bot_user_id,
                files=[f.id for f, _ in stored],
            )
            for f, _ in stored:
                if f.channel_id == channel:
                    f.share_ts = msg.ts
        return {"ok": True, "files": [f.to_slack(self.team_id) for f, _ in stored]}

    def _files_info(self, a: dict) -> dict:
        f = self._files.get(a.get("file") or "")
        if f is None:
            raise ApiError("file_not_found")
        private = bool(self._channels.get(f.channel_id or "", {}).get("is_private"))
        return {"ok": True, "file": f.to_slack_info(self.team_id, private)}
