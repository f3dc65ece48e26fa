"""The app's review poster: delivery on a thread of its own, never on the caller's."""

from __future__ import annotations

import threading
import time

import pytest

from bot.clock import SystemClock
from bot.services import Services
from bot.settings import Settings
from schedules.review_poster import ReviewPoster
from schedules.scheduler import JobContext
from tests.delivery.conftest import TOKEN, Rig

POST = "chat.postMessage"


class Recorded:
    """The threads that ran delivery passes and made Slack calls."""

    def __init__(self) -> None:
        self.runs: list[threading.Thread] = []
        self.calls: list[threading.Thread] = []

    def wrap(self, deliverer):
        run_once = deliverer.run_once

        def recorded(*args, **kwargs):
            self.runs.append(threading.current_thread())
            return run_once(*args, **kwargs)

        deliverer.run_once = recorded
        return deliverer


@pytest.fixture
def recorded() -> Recorded:
    return Recorded()


def poster_for(rig: Rig, recorded: Recorded, **options) -> ReviewPoster:
    def after_call(_outbox_id: int) -> None:
        recorded.calls.append(threading.current_thread())

    deliverer = recorded.wrap(rig.deliverer(after_call=after_call))
    settings = Settings(_env_file=None, slack_bot_token=TOKEN, slack_api_url=rig.standin.api_url)
    services = Services(settings=settings, engine=rig.engine, clock=SystemClock())
    return ReviewPoster(services, deliverer=deliverer, **options)


def timed(call) -> tuple[float, object]:
    started = time.monotonic()
    result = call()
    return time.monotonic() - started, result


def test_after_returns_at_once_while_a_long_run_goes_on_elsewhere(rig: Rig, recorded: Recorded):
    users = rig.people(6)
    rig.dms(users)
    rig.standin.inject(POST, delay=0.4, times=6)  # every post is slow: the run lasts a while
    poster = poster_for(rig, recorded)
    try:
        took, _ = timed(lambda: poster.after(rig.workspace_id))
        assert took < 0.5
        assert rig.standin.wait_for(lambda s: len(s.calls_to(POST)) >= 1, timeout=5)
        assert rig.states().get("sent", 0) < 6  # the run is under way

        took, _ = timed(lambda: poster.after(rig.workspace_id))
        assert took < 0.5

        assert _eventually(lambda: rig.states() == {"sent": 6})
    finally:
        assert poster.stop()
    me = threading.current_thread()
    assert recorded.runs and me not in recorded.runs
    assert len(recorded.calls) == 6 and me not in recorded.calls


def test_wait_returns_once_a_run_started_after_the_call_has_sent(rig: Rig, recorded: Recorded):
    early = rig.people(4, "U0E")
    rig.dms(early, key="early")
    rig.standin.inject(POST, delay=0.3, times=4)
    poster = poster_for(rig, recorded)
    try:
        poster.after(rig.workspace_id)
        assert rig.standin.wait_for(lambda s: len(s.calls_to(POST)) >= 1, timeout=5)
        # Queued while that run goes on, which read its rows already: a later run sends it.
        late = rig.people(1, "U0L")
        rig.dms(late, key="late")

        took, posted = timed(lambda: poster.after(rig.workspace_id, wait=True))

        assert posted is True
        assert len(rig.standin.messages(late[0])) == 1  # out before the caller went on
        assert rig.states() == {"sent": 5}
        assert len(recorded.runs) >= 2 and took < 5
    finally:
        assert poster.stop()


def test_wait_gives_up_at_its_bound_and_the_posts_follow(rig: Rig, recorded: Recorded):
    users = rig.people(1)
    rig.dms(users)
    rig.standin.inject(POST, delay=1.5)
    poster = poster_for(rig, recorded, wait_seconds=0.3)
    try:
        took, posted = timed(lambda: poster.after(rig.workspace_id, wait=True))
        assert posted is False
        assert 0.25 < took < 1.0
        assert _eventually(lambda: rig.states() == {"sent": 1})
    finally:
        assert poster.stop()


def test_a_run_is_capped_and_the_thread_ends_when_idle_or_stopped(rig: Rig, recorded: Recorded):
    users = rig.people(8)
    rig.dms(users)
    poster = poster_for(rig, recorded, run_batch=3, idle_seconds=0.2)
    assert poster.after(rig.workspace_id, wait=True)
    # One pass of at most three posts: the deliver job sends the rest of a fan-out.
    assert rig.states() == {"sent": 3, "queued": 5}
    thread = poster._thread
    assert thread is not None and thread.daemon
    thread.join(5)  # idle: the thread ends
    assert not thread.is_alive() and poster._thread is None
    assert poster.after(rig.workspace_id, wait=True)  # and starts again with the next call
    assert rig.states() == {"sent": 6, "queued": 2}
    again = poster._thread
    assert poster.stop() and again is not None and not again.is_alive()
    assert poster.after(rig.workspace_id, wait=True) is False  # stopped: nothing more runs
    assert poster._thread is None and rig.states() == {"sent": 6, "queued": 2}


def test_the_deliver_job_and_the_poster_share_one_pacer(rig: Rig):
    settings = Settings(_env_file=None, slack_bot_token=TOKEN, slack_api_url=rig.standin.api_url)
    services = Services(settings=settings, engine=rig.engine, clock=SystemClock())
    jobs = JobContext(services, limits=rig.limits)
    poster = ReviewPoster(services, limits=rig.limits, pacer=jobs.pacer)
    try:
        poster.after(rig.workspace_id, wait=True)
        assert jobs.deliverer().pacer is jobs.pacer
        assert poster._deliverer is not None and poster._deliverer.pacer is jobs.pacer
    finally:
        poster.stop()


def _eventually(check, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()
