"""auth.test, conversations.* and users.* of the Slack stand-in (mixed into SlackStandIn)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from .api_chat import truthy
from .state import ApiError, StoredMessage, channel_object, user_object


def page(items: list, a: dict, default_limit: int = 0) -> tuple[list, str]:
    """One page of `items` per Slack cursor pagination: (page, next_cursor or "")."""
    try:
        limit = int(a.get("limit") or default_limit)
        cursor = a.get("cursor") or ""
        start = int(base64.b64decode(cursor).decode().split(":", 1)[1]) if cursor else 0
    except (ValueError, IndexError, UnicodeDecodeError) as e:
        raise ApiError("invalid_cursor") from e
    if limit <= 0:
        return items[start:], ""
    end = start + limit
    more = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
    return items[start:end], more


def in_window(messages: list[StoredMessage], a: dict) -> list[StoredMessage]:
    """Messages between `oldest` and `latest` (ts strings; exclusive unless `inclusive`)."""
    oldest = _ts_arg(a, "oldest", 0.0)
    latest = _ts_arg(a, "latest", float("inf"))
    if truthy(a.get("inclusive")):
        return [m for m in messages if oldest <= float(m.ts) <= latest]
    return [m for m in messages if oldest < float(m.ts) < latest]


def _ts_arg(a: dict, name: str, default: float) -> float:
    if not a.get(name):
        return default
    try:
        return float(a[name])
    except (TypeError, ValueError) as e:
        raise ApiError(f"invalid_ts_{name}") from e


class DirectoryApi:
    """Who and where: the team, its people and its conversations.

    Every method here runs under SlackStandIn's lock; state lives on SlackStandIn.
    """

    _users: dict[str, dict]
    _channels: dict[str, dict]
    _msgs: dict[tuple[str, str], StoredMessage]

    def _auth_test(self, a: dict) -> dict:
        return {
            "ok": True,
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self._users[self.bot_user_id]["name"],
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    # ---- conversations ------------------------------------------------------------------------

    def _conversations_open(self, a: dict) -> dict:
        if a.get("channel"):
            c = self._find_channel(a["channel"])
            if c is None:
                raise ApiError("channel_not_found")
            return {"ok": True, "channel": self._channel_json(c, full=truthy(a.get("return_im")))}
        raw = a.get("users") or ""
        users = raw if isinstance(raw, list) else [u.strip() for u in str(raw).split(",")]
        users = [u for u in users if u]
        if not users:
            raise ApiError("users_list_not_supplied")
        if len(users) > 8:
            raise ApiError("too_many_users")
        for uid in users:
            user = self._users.get(uid)
            if user is None:
                raise ApiError("user_not_found")
            # Slack's documented code for a deactivated person; account_inactive means the token.
            if user.get("deleted"):
                raise ApiError("user_disabled")
            if user.get("is_bot") and len(users) == 1:
                raise ApiError("cannot_dm_bot")
        if len(users) == 1:
            channel_id, created = self._open_dm(users[0])
        else:
            key = ",".join(sorted({*users, self.bot_user_id}))
            channel_id = "G" + hashlib.sha1(key.encode()).hexdigest()[:10].upper()
            created = channel_id not in self._channels
            self._channels.setdefault(
                channel_id,
                {
                    "id": channel_id,
                    "name": "mpdm-" + "--".join(users),
                    "is_private": True,
                    "is_member": True,
                    "is_archived": False,
                    "is_mpim": True,
                },
            )
        c = self._channels[channel_id]
        resp: dict[str, Any] = {"ok": True}
        if not created:
            resp.update(no_op=True, already_open=True)
        resp["channel"] = self._channel_json(c, full=truthy(a.get("return_im")))
        return resp

    def _channel_json(self, c: dict, *, full: bool = True) -> dict:
        if not full:
            return {"id": c["id"]}
        obj = channel_object(c)
        if c.get("is_im"):
            obj["is_user_deleted"] = bool(self._users.get(c["user"], {}).get("deleted"))
        if c.get("is_mpim"):
            obj["is_mpim"] = True
        return obj

    def _visible_channel(self, channel: Any) -> dict:
        c = self._find_channel(channel)
        if c is None or (c.get("is_private") and not c.get("is_member")):
            raise ApiError("channel_not_found")
        return c

    def _conversations_info(self, a: dict) -> dict:
        return {"ok": True, "channel": self._channel_json(self._visible_channel(a.get("channel")))}

    def _conversations_list(self, a: dict) -> dict:
        types = {t.strip() for t in str(a.get("types") or "public_channel").split(",")}
        chosen = []
        for c in self._channels.values():
            if c.get("is_im"):
                kind = "im"
            elif c.get("is_mpim"):
                kind = "mpim"
            else:
                kind = "private_channel" if c["is_private"] else "public_channel"
            if kind not in types or (kind == "private_channel" and not c["is_member"]):
                continue
            if truthy(a.get("exclude_archived")) and c.get("is_archived"):
                continue
            chosen.append(self._channel_json(c))
        items, cursor = page(chosen, a, default_limit=100)
        return {"ok": True, "channels": items, "response_metadata": {"next_cursor": cursor}}

    def _conversations_history(self, a: dict) -> dict:
        c = self._visible_channel(a.get("channel"))
        top = [m for (ch, _), m in self._msgs.items() if ch == c["id"] and not m.thread_ts]
        top = in_window(top, a)
        top.reverse()  # newest first, as Slack answers
        items, cursor = page(top, a, default_limit=100)
        return {
            "ok": True,
            "messages": [self._history_json(m, a) for m in items],
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def _conversations_replies(self, a: dict) -> dict:
        c = self._visible_channel(a.get("channel"))
        parent = self._msgs.get((c["id"], a.get("ts")))
        if parent is None:
            raise ApiError("thread_not_found")
        root = parent.thread_ts or parent.ts
        thread = [
            m for (ch, ts), m in self._msgs.items() if ch == c["id"] and root in (ts, m.thread_ts)
        ]
        thread.sort(key=lambda m: float(m.ts))
        items, cursor = page(in_window(thread, a), a, default_limit=1000)
        return {
            "ok": True,
            "messages": [self._history_json(m, a) for m in items],
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def _history_json(self, msg: StoredMessage, a: dict) -> dict:
        """Slack returns a message's metadata from history only when include_all_metadata is set."""
        obj = self._message_json(msg)
        if not truthy(a.get("include_all_metadata")):
            obj.pop("metadata", None)
        return obj

    # ---- users ---------------------------------------------------------------------------------

    def _users_info(self, a: dict) -> dict:
        user = self._users.get(a.get("user"))  # type: ignore[arg-type]
        if user is None:
            raise ApiError("user_not_found")
        locale = truthy(a.get("include_locale"))
        return {"ok": True, "user": user_object(user, self.team_id, locale=locale)}

    def _users_list(self, a: dict) -> dict:
        locale = truthy(a.get("include_locale"))
        members = [user_object(u, self.team_id, locale=locale) for u in self._users.values()]
        items, cursor = page(members, a)
        return {
            "ok": True,
            "members": items,
            "cache_ts": 1700000000,
            "response_metadata": {"next_cursor": cursor},
        }

    def _users_lookupByEmail(self, a: dict) -> dict:
        email = str(a.get("email") or "").lower()
        for u in self._users.values():
            if email and str(u.get("email") or "").lower() == email:
                return {"ok": True, "user": user_object(u, self.team_id)}  # no include_locale
        raise ApiError("users_not_found")
