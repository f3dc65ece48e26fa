"""Security tests drive the real app too: the end-to-end bed is shared."""

from tests.e2e.conftest import slack  # noqa: F401
