"""The chart upload as an outbox row: within the client's timeout, its lease kept alive step by
step, and a crash anywhere in it resumed without sharing the chart twice."""

from __future__ import annotations

import base64
import threading
import time

import pytest

from bot.slack_limits import FILES_UPLOAD_V2
from schedules import files_upload
from schedules.delivery import SimulatedCrash
from schedules.slack_answers import CREATING_METHODS
from tests.delivery.conftest import Rig

CHANNEL = "C0REVIEW"


def queue_upload(rig: Rig) -> int:
    [row] = rig.enqueue(
        FILES_UPLOAD_V2,
        [
            {
                "channel": CHANNEL,
                "filename": "bowling-chart-2027.png",
                "title": "FY2027 bowling chart",
                "png_b64": base64.b64encode(b"\x89PNG chart").decode("ascii"),
            }
        ],
        "chart",
    )
    return row


def shared(rig: Rig) -> list:
    return [f for f in rig.standin.files if f.shared and f.channel_id == CHANNEL]


def test_the_bytes_wait_no_longer_than_the_clients_timeout(rig: Rig):
    row = queue_upload(rig)
    rig.standin.inject("upload", delay=4.0)  # the upload URL answers late
    started = time.monotonic()
    rig.deliverer(timeout=1.0).run_once()
    assert time.monotonic() - started < 3.0  # given up at the client's 1 s, not a fixed 30 s
    first = rig.rows()[row]
    assert first.state == "queued" and first.last_error.startswith("upload:")
    assert first.payload["file_id"] and not first.payload["uploaded"]

    rig.deliverer(timeout=1.0).run_until_idle(timeout=10)
    assert rig.rows()[row].state == "sent" and len(shared(rig)) == 1
    assert len(rig.standin.calls_to("files.getUploadURLExternal")) == 1  # the same file


def test_a_slow_upload_keeps_its_lease_step_by_step_so_no_one_takes_it_over(rig: Rig):
    """Each step lasts 0.8 s and the lease 1.4 s: the whole upload outlasts the lease, no step
    does (without renewals the other deliverer would take it over during the bytes' POST)."""
    row = queue_upload(rig)
    for method in ("files.getUploadURLExternal", "upload", "files.completeUploadExternal"):
        rig.standin.inject(method, delay=0.8)
    uploading = threading.Thread(target=rig.deliverer(in_flight_lease_seconds=1.4).run_once)
    uploading.start()
    assert rig.standin.wait_for(lambda _s: rig.rows()[row].state == "in_flight", timeout=5)
    other = rig.deliverer(in_flight_lease_seconds=1.4)  # another process, looking for dead rows
    while uploading.is_alive():
        other.run_once()
        time.sleep(0.05)
    uploading.join()
    other.run_until_idle(timeout=10)

    assert rig.rows()[row].state == "sent"
    assert len(rig.standin.calls_to("files.getUploadURLExternal")) == 1
    assert len(rig.standin.calls_to("files.completeUploadExternal")) == 1
    assert len(shared(rig)) == 1


@pytest.mark.parametrize(
    "crash_after", [files_upload.GET_URL, files_upload.COMPLETE], ids=["get_url", "complete"]
)
def test_a_crash_inside_an_upload_is_resumed_and_never_shares_twice(rig: Rig, crash_after: str):
    # Not looked for in the channel's history like a post: the upload checks for itself.
    assert FILES_UPLOAD_V2 not in CREATING_METHODS
    row = queue_upload(rig)
    dying = rig.deliverer()
    call = dying.uploads.call

    def then_die(workspace_id, method, channel, request):
        answer = call(workspace_id, method, channel, request)
        if method == crash_after:
            raise SimulatedCrash  # the process dies right after Slack did the work
        return answer

    dying.uploads.call = then_die
    dying.run_once()
    assert rig.rows()[row].state == "in_flight"

    report = rig.deliverer().run_until_idle(timeout=10)  # a fresh process, after the lease
    assert report.resent == 1 and rig.rows()[row].state == "sent"
    [chart] = shared(rig)
    assert chart.content == b"\x89PNG chart"
    assert rig.rows()[row].payload["file_id"] == chart.id
    assert len(rig.standin.calls_to("files.completeUploadExternal")) == 1
    if crash_after == files_upload.COMPLETE:
        assert rig.standin.calls_to("files.info")  # it asked whether the share had happened
    history = rig.standin.calls_to("conversations.history")
    assert history + rig.standin.calls_to("conversations.replies") == []
