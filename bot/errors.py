"""Typed domain errors; one error handler turns each into a clear message in the right place."""


class HoshinError(Exception):
    """An error whose message is written for the person who caused it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(HoshinError):
    """An objective, person or workspace that the person named does not exist."""


class NotAllowed(HoshinError):
    """The person may not do this (for example: decide a proposal they are not the approver of)."""


class InvalidInput(HoshinError):
    """Input that cannot be used, with the field it concerns when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class WorkspaceNotSetUp(HoshinError):
    """The workspace has no plan yet."""


class DatabaseUnavailable(HoshinError):
    """The database could not be reached; the person should try again shortly."""

    def __init__(self) -> None:
        super().__init__(
            "Hoshin Bot can't reach its database right now. Nothing was changed — "
            "please try again in a minute."
        )
