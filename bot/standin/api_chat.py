"""chat.* methods and response_url posts of the Slack stand-in (mixed into SlackStandIn)."""

from __future__ import annotations

import time
from typing import Any

from .blockkit import MESSAGE_TEXT_MAX, message_blocks_problem
from .state import ApiError, ResponseUrl, StoredMessage

MISSING_TEXT = "missing_text_or_fallback_or_attachments"


def truthy(value: Any) -> bool:
    """Slack's reading of a boolean argument sent as JSON, form "1"/"0" or "true"/"false"."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def blocks_error(code: str, errs: list[str]) -> ApiError:
    if code == "invalid_blocks":
        meta = {"messages": [f"[ERROR] {e}" for e in errs]}
        return ApiError(code, errors=errs, response_metadata=meta)
    return ApiError(code)


class ChatApi:
    """chat.postMessage/update/postEphemeral/delete/getPermalink and response urls.

    Every method here runs under SlackStandIn's lock; state lives on SlackStandIn.
    """

    _users: dict[str, dict]
    _channels: dict[str, dict]
    _msgs: dict[tuple[str, str], StoredMessage]
    _ephemerals: list[StoredMessage]
    _response_urls: dict[str, ResponseUrl]

    # ---- channels -------------------------------------------------------------------------

    def _dm_id(self, user_id: str) -> str:
        return "D" + user_id[1:]

    def _open_dm(self, user_id: str) -> tuple[str, bool]:
        """The DM channel with a person, and whether it was opened just now."""
        dm = self._dm_id(user_id)
        if dm in self._channels:
            return dm, False
        self._channels[dm] = {"id": dm, "is_im": True, "user": user_id, "is_member": True}
        return dm, True

    def _find_channel(self, channel: Any) -> dict | None:
        if not isinstance(channel, str) or not channel:
            return None
        if channel in self._channels:
            return self._channels[channel]
        name = channel.lstrip("#")
        return next((c for c in self._channels.values() if c.get("name") == name), None)

    def _resolve_post_channel(self, channel: Any) -> str:
        """Where a post lands, refusing as Slack does; a user id means that person's DM."""
        if isinstance(channel, str) and channel[:1] in ("U", "W") and channel not in self._channels:
            user = self._users.get(channel)
            if user is None:
                raise ApiError("channel_not_found")
            if user.get("deleted"):
                raise ApiError("account_inactive")
            if user.get("is_bot"):
                raise ApiError("cannot_dm_bot")
            return self._open_dm(channel)[0]
        c = self._find_channel(channel)
        if c is None:
            raise ApiError("channel_not_found")
        if c.get("is_im"):
            user = self._users.get(c["user"], {})
            if user.get("deleted"):
                raise ApiError("account_inactive")
            return c["id"]
        if c.get("is_private") and not c["is_member"]:
            raise ApiError("channel_not_found")  # private channels are invisible to non-members
        if c["is_archived"]:
            raise ApiError("is_archived")
        if not c["is_member"]:
            raise ApiError("not_in_channel")
        return c["id"]

    def _resolve_existing_channel(self, channel: Any) -> str:
        """The conversation of an existing message: ids only, no DM is opened."""
        if isinstance(channel, str) and channel[:1] in ("U", "W"):
            channel = self._dm_id(channel)
        c = self._find_channel(channel)
        if c is None:
            raise ApiError("channel_not_found")
        return c["id"]

    # ---- content ----------------------------------------------------------------------------

    def _content(self, a: dict, *, required: bool = True) -> tuple[str | None, list | None, list]:
        """(text, blocks, warnings) after Slack's checks of text and blocks."""
        text = a.get("text")
        if text is not None and not isinstance(text, str):
            text = str(text)
        blocks = a.get("blocks") or None
        attachments = a.get("attachments") or None
        if required and not text and not blocks and not attachments:
            raise ApiError("no_text")
        if text and len(text) > MESSAGE_TEXT_MAX:
            raise ApiError("msg_too_long")
        code, errs = message_blocks_problem(blocks)
        if code:
            raise blocks_error(code, errs)
        warnings = [MISSING_TEXT] if blocks and not text and not attachments else []
        return text, blocks, warnings

    @staticmethod
    def _with_warnings(resp: dict, warnings: list[str]) -> dict:
        if warnings:
            resp["warning"] = ",".join(warnings)
            resp["response_metadata"] = {"warnings": list(warnings)}
        return resp

    def _store_message(
        self,
        channel: str,
        text: str,
        blocks: list | None,
        thread_ts: str | None,
        user: str,
        **extra: Any,
    ) -> StoredMessage:
        ts = self._ts.next()
        parent = self._msgs.get((channel, thread_ts)) if thread_ts else None
        if parent is not None and parent.thread_ts:
            # Replying to a reply lands in the same thread, as in Slack.
            thread_ts = parent.thread_ts
            parent = self._msgs.get((channel, thread_ts))
        if parent is not None:
            parent.reply_count += 1
            parent.latest_reply = ts
            if user not in parent.reply_users:
                parent.reply_users.append(user)
        msg = StoredMessage(channel, ts, thread_ts, text, blocks, user, **extra)
        self._msgs[(channel, ts)] = msg
        return msg

    def _message_json(self, msg: StoredMessage) -> dict:
        if msg.user == self.bot_user_id:
            return msg.to_slack(self.team_id, self.bot_id, self.app_id)
        return msg.to_slack(self.team_id, None)

    # ---- methods ------------------------------------------------------------------------------

    def _chat_postMessage(self, a: dict) -> dict:
        channel = self._resolve_post_channel(a.get("channel"))
        text, blocks, warnings = self._content(a)
        msg = self._store_message(
            channel,
            text or "",
            blocks,
            a.get("thread_ts") or None,
            self.bot_user_id,
            attachments=a.get("attachments") or None,
            metadata=a.get("metadata") or None,
        )
        resp = {"ok": True, "channel": channel, "ts": msg.ts, "message": self._message_json(msg)}
        return self._with_warnings(resp, warnings)

    def _chat_update(self, a: dict) -> dict:
        channel = self._resolve_existing_channel(a.get("channel"))
        msg = self._msgs.get((channel, a.get("ts")))
        if msg is None:
            raise ApiError("message_not_found")
        if msg.user != self.bot_user_id:
            raise ApiError("cant_update_message")
        if self._channels[channel].get("is_archived"):
            raise ApiError("is_archived")
        if not any(a.get(k) is not None for k in ("text", "blocks", "attachments")):
            raise ApiError("no_text")
        text, blocks, _ = self._content(a, required=False)
        # Slack keeps whatever the update leaves out; an empty blocks list removes the blocks.
        if "text" in a:
            msg.text = text or ""
        if "blocks" in a:
            msg.blocks = blocks
        if "attachments" in a:
            msg.attachments = a.get("attachments") or None
        msg.edited_count += 1
        warnings = [MISSING_TEXT] if msg.blocks and not msg.text else []
        resp = {
            "ok": True,
            "channel": channel,
            "ts": msg.ts,
            "text": msg.text,
            "message": self._message_json(msg),
        }
        return self._with_warnings(resp, warnings)

    def _chat_postEphemeral(self, a: dict) -> dict:
        channel = self._resolve_post_channel(a.get("channel"))
        user = a.get("user")
        if user not in self._users:
            raise ApiError("user_not_found")
        text, blocks, warnings = self._content(a)
        msg = StoredMessage(
            channel,
            self._ts.next(),
            a.get("thread_ts") or None,
            text or "",
            blocks,
            self.bot_user_id,
            ephemeral_user=user,
            attachments=a.get("attachments") or None,
        )
        self._ephemerals.append(msg)
        return self._with_warnings({"ok": True, "message_ts": msg.ts}, warnings)

    def _chat_delete(self, a: dict) -> dict:
        channel = self._resolve_existing_channel(a.get("channel"))
        msg = self._msgs.get((channel, a.get("ts")))
        if msg is None:
            raise ApiError("message_not_found")
        if msg.user != self.bot_user_id:
            raise ApiError("cant_delete_message")
        self._delete_message(msg)
        return {"ok": True, "channel": channel, "ts": msg.ts}

    def _delete_message(self, msg: StoredMessage) -> None:
        del self._msgs[(msg.channel, msg.ts)]
        parent = self._msgs.get((msg.channel, msg.thread_ts)) if msg.thread_ts else None
        if parent is not None and parent.reply_count:
            parent.reply_count -= 1

    def _chat_getPermalink(self, a: dict) -> dict:
        channel = self._resolve_existing_channel(a.get("channel"))
        msg = self._msgs.get((channel, a.get("message_ts")))
        if msg is None:
            raise ApiError("message_not_found")
        link = f"https://{self.team_domain}.slack.com/archives/{channel}/p{msg.ts.replace('.', '')}"
        if msg.thread_ts:
            link += f"?thread_ts={msg.thread_ts}&cid={channel}"
        return {"ok": True, "channel": channel, "permalink": link}

    # ---- response urls ------------------------------------------------------------------------

    def _response_post(self, url_id: str, body: Any) -> tuple[int, str]:
        """Slack answers response urls with plain text: 200 "ok", or an error word."""
        ru = self._response_urls.get(url_id)
        if ru is None:
            return 404, "no_service"
        if time.monotonic() - ru.created > self.response_url_ttl:
            return 404, "expired_url"
        if ru.uses >= self.response_url_max_uses:
            return 404, "used_url"
        if not isinstance(body, dict):
            return 400, "invalid_payload"
        if truthy(body.get("delete_original")):
            ru.uses += 1
            self._drop_target(ru)
            return 200, "ok"
        try:
            text, blocks, _ = self._content(body)
        except ApiError as e:
            return 400, e.error
        ru.uses += 1
        target = self._target(ru) if truthy(body.get("replace_original")) else None
        if target is not None:
            if "text" in body:
                target.text = text or ""
            if "blocks" in body:
                target.blocks = blocks
            target.edited_count += 1
        elif body.get("response_type") == "in_channel" and ru.channel:
            msg = self._store_message(
                ru.channel, text or "", blocks, body.get("thread_ts") or None, self.bot_user_id
            )
            ru.target = ("message", msg.channel, msg.ts)
        else:
            msg = StoredMessage(
                ru.channel or "",
                self._ts.next(),
                body.get("thread_ts") or None,
                text or "",
                blocks,
                self.bot_user_id,
                ephemeral_user=ru.user,
            )
            self._ephemerals.append(msg)
            ru.target = ("ephemeral", msg.channel, msg.ts)
        return 200, "ok"

    def _target(self, ru: ResponseUrl) -> StoredMessage | None:
        if ru.target is None:
            return None
        kind, channel, ts = ru.target
        if kind == "message":
            return self._msgs.get((channel, ts))
        return next((m for m in self._ephemerals if m.channel == channel and m.ts == ts), None)

    def _drop_target(self, ru: ResponseUrl) -> None:
        target = self._target(ru)
        if target is None:
            return
        if target.ephemeral_user is None:
            self._delete_message(target)
        else:
            self._ephemerals.remove(target)
        ru.target = None
