"""A local stand-in for Slack's Web API, for tests and the demo: `SlackStandIn().start()`."""

from .blockkit import validate_message_blocks, validate_view
from .server import SlackStandIn
from .state import RecordedCall, StoredFile, StoredMessage

__all__ = [
    "RecordedCall",
    "SlackStandIn",
    "StoredFile",
    "StoredMessage",
    "validate_message_blocks",
    "validate_view",
]
