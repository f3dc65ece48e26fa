"""The small plan of the check-in tests (Mo's AN1.1 was off track in May), for the A3's rules."""

from tests.checkin.conftest import plan  # noqa: F401  (the fixture, shared)
