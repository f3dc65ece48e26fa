"""Small validated models that travel through Slack in button values and private_metadata.

They carry ids only, and each goes out signed: `h1.<tag>.<json>`, the tag an HMAC-SHA256 of the
model's name and its JSON under a key derived from the app's signing secret. Slack signs each
request, but what it carries back was written by the bot and passes through the person's client
and whoever holds Slack's signing secret; the tag makes any change to it, and any value the bot
never wrote, fail to parse. A valid tag says the bot wrote it, not that it still holds: handlers
re-check everything against the database (the person may act on this object, here, now).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.errors import InvalidInput
from bot.settings import SettingsError

# Slack's limit on private_metadata; button values (2,000) and option values (150) are checked
# by slack_sdk's elements, and the contexts are ids, far below either.
METADATA_LIMIT = 3000
# The key is the signing secret's HMAC of a label of its own: not the secret itself, and never
# the same key as Slack's request signatures.
KEY_LABEL = b"hoshin-private-metadata"
VERSION = "h1"
TAG_LENGTH = 43  # a SHA-256 digest in unpadded base64url
REFUSED = (
    "That button or form no longer matches anything (it is from before an update, or was "
    "changed), so nothing was done: open it again from the command, your newest message or "
    "your Home tab."
)

log = logging.getLogger(__name__)

# One process serves one Slack app, which has one signing secret: the composition root and the
# job runner install its key once (`sign_with`), and every builder signs with it.
_key: bytes | None = None
# Until this day (UTC), a context as versions before signing wrote it (plain JSON) is read too:
# the month's prompts and the catchball rounds already in people's DMs keep working after an
# upgrade (setting UNSIGNED_BUTTONS_UNTIL). Handlers re-check every id against the database
# either way; what the signature adds is refused forgery, so the window is short and opt-in.
_unsigned_until: date | None = None


def derive_key(signing_secret: str) -> bytes:
    return hmac.new(signing_secret.encode(), KEY_LABEL, hashlib.sha256).digest()


def sign_with(signing_secret: str, *, unsigned_until: date | None = None) -> None:
    """Sign the contexts this process writes, and check those it reads, with this app's key.

    `unsigned_until`: the first day (UTC) on which unsigned contexts of older versions are
    refused again; None refuses them from the start.
    """
    global _key, _unsigned_until
    _key = derive_key(signing_secret)
    _unsigned_until = unsigned_until


def _from_before_signing(raw: str | None) -> bool:
    """An unsigned context of an older version, read while the operator's window is open."""
    if _unsigned_until is None or not raw or not raw.startswith("{"):
        return False
    if len(raw) > METADATA_LIMIT or datetime.now(UTC).date() >= _unsigned_until:
        return False
    log.info("read a button or form written before contexts were signed")
    return True


def _tag(body: str, *, key: bytes, purpose: str) -> str:
    # The purpose (the model's name) is signed too, so a value written for one button is no
    # use to another whose model happens to take the same fields.
    digest = hmac.new(key, f"{purpose}\n{body}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def seal(body: str, *, key: bytes, purpose: str) -> str:
    """`body` with its tag; ValueError when it would not fit private_metadata (a bot bug)."""
    raw = f"{VERSION}.{_tag(body, key=key, purpose=purpose)}.{body}"
    if len(raw) > METADATA_LIMIT:
        raise ValueError(f"a signed context of {len(raw)} characters exceeds {METADATA_LIMIT}")
    return raw


def unseal(raw: str | None, *, key: bytes, purpose: str) -> str:
    """The body the bot signed, or InvalidInput: unsigned, changed, cut, oversize or malformed."""
    if not raw or len(raw) > METADATA_LIMIT:
        raise InvalidInput(REFUSED)
    version, _, rest = raw.partition(".")
    tag, _, body = rest.partition(".")
    if version != VERSION or len(tag) != TAG_LENGTH or not body or not tag.isascii():
        raise InvalidInput(REFUSED)
    if not hmac.compare_digest(tag.encode(), _tag(body, key=key, purpose=purpose).encode()):
        raise InvalidInput(REFUSED)
    return body


def _current_key() -> bytes:
    if _key is None:
        raise SettingsError(
            "SLACK_SIGNING_SECRET is not set: the bot signs its buttons and forms with it"
        )
    return _key


class SlackContext(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def dump(self) -> str:
        body = self.model_dump_json(exclude_none=True)
        return seal(body, key=_current_key(), purpose=type(self).__name__)

    @classmethod
    def parse(cls, raw: str | None):
        if _from_before_signing(raw):
            body = raw
        else:
            body = unseal(raw, key=_current_key(), purpose=cls.__name__)
        try:
            return cls.model_validate_json(body)
        except ValidationError as exc:
            raise InvalidInput(REFUSED) from exc


class StatusQuery(SlackContext):
    """What a status answer showed, so "Share in channel" can show it again, freshly read."""

    kind: Literal["plan", "objective", "person"] = "plan"
    ref: str | None = Field(default=None, max_length=64)
    user: str | None = Field(default=None, max_length=32)
    year: int | None = Field(default=None, ge=1900, le=3000)


class ObjectiveRef(SlackContext):
    """An objective a button or modal is about (re-read and re-checked on every use)."""

    objective_id: int = Field(ge=1)


class RoundRef(SlackContext):
    """A catchball round a decision button or modal is about."""

    round_id: int = Field(ge=1)


class ActionRef(SlackContext):
    """An action item a Done/Blocked button is about."""

    action_id: int = Field(ge=1)


class CheckInRef(SlackContext):
    """The objective and period a "Check in" button or the check-in modal is about."""

    objective_id: int = Field(ge=1)
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")


# ---- Countermeasure A3 (issue 4) ----------------------------------------------------------------


class A3Ref(SlackContext):
    """The A3 report a "Write the A3" button or the A3 modal is about."""

    a3_id: int = Field(ge=1)


class A3WorkedRef(SlackContext):
    """One option of the "did it work?" select: the A3, the month asking, and the answer."""

    a3_id: int = Field(ge=1)
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    worked: Literal["yes", "partly", "no"]


class ReflectionRef(SlackContext):
    """The workspace and fiscal year an annual reflection's carry-over button is about."""

    workspace_id: int = Field(ge=1)
    year: int = Field(ge=1900, le=3000)


class HanseiRef(SlackContext):
    """The objective and fiscal year a "Reflect" button or the hansei modal is about (issue 5).

    `home`: the button was on the App Home, which is published again after the answer.
    """

    objective_id: int = Field(ge=1)
    year: int = Field(ge=1900, le=3000)
    home: bool | None = None
