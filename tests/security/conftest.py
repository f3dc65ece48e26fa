"""Security tests drive the real app too: the end-to-end bed, and a second workspace in it."""

from tests.e2e.conftest import slack  # noqa: F401
from tests.security.twoworkspaces import beds  # noqa: F401
