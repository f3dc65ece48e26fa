"""Small validated models that travel through Slack in button values and private_metadata.

They carry ids only. Slack signs the request, but the value was written by the bot earlier and
may be stale or edited, so handlers re-check everything against the database.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.errors import InvalidInput


class SlackContext(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def dump(self) -> str:
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def parse(cls, raw: str | None):
        try:
            return cls.model_validate_json(raw or "")
        except ValidationError as exc:
            raise InvalidInput(
                "That button no longer matches anything. Run the command again."
            ) from exc


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
