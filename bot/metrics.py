"""The process's Prometheus metrics, served at GET /metrics; names are listed in the README.

Counters are bumped where things happen (the HTTP endpoint, the deliverer's answers from Slack,
the check-in store's callers), never in storage/. Labels take a small fixed set of values
(Slack method names, error codes, request kinds), never ids or text.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

ACK_SLA_SECONDS = 3.0

HTTP_REQUESTS = Counter(
    "hoshin_http_requests",
    "Requests from Slack to /slack/events, by kind (command, block_actions, view_submission, "
    "event_callback...) and HTTP status.",
    ["kind", "status"],
)
ACK_SECONDS = Histogram(
    "hoshin_ack_seconds",
    "Time from a Slack request's arrival to its HTTP answer (the ack).",
    ["kind"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0),
)
ACKS_OVER_3S = Counter(
    "hoshin_acks_over_3s",
    "Slack requests answered after Slack's 3-second limit (Slack shows the person an error).",
    ["kind"],
)
SLACK_CALLS = Counter(
    "hoshin_slack_api_calls",
    "Slack Web API calls made by delivery, by method and result (ok, ratelimited, or the error "
    "code Slack or the network gave).",
    ["method", "result"],
)
SLACK_RATE_LIMITED = Counter(
    "hoshin_slack_rate_limited", "HTTP 429 answers from Slack's Web API, by method.", ["method"]
)
OUTBOX = Gauge(
    "hoshin_outbox_messages",
    "Rows in the outbox by state (queued, in_flight, in_doubt, held, sent, failed), read when "
    "scraped.",
    ["state"],
)
PROMPTS_SENT = Counter("hoshin_prompts_sent", "Monthly check-in prompt DMs Slack accepted.")
CHECKINS_RECEIVED = Counter(
    "hoshin_checkins_received",
    "Check-ins stored: submitted in the modal, or replied to the prompt DM.",
    ["via"],
)
LEADER = Gauge(
    "hoshin_scheduler_leader", "1 while this instance holds the scheduler lease, else 0."
)
JOB_RUNS = Counter(
    "hoshin_job_runs",
    "Scheduled job runs on this instance, by job and outcome.",
    ["job", "outcome"],
)


def observe_ack(kind: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(kind=kind, status=str(status)).inc()
    ACK_SECONDS.labels(kind=kind).observe(seconds)
    if seconds > ACK_SLA_SECONDS:
        ACKS_OVER_3S.labels(kind=kind).inc()


def slack_call(method: str, result: str, *, rate_limited: bool = False) -> None:
    SLACK_CALLS.labels(method=method, result=result[:40]).inc()
    if rate_limited:
        SLACK_RATE_LIMITED.labels(method=method).inc()


def set_outbox_depth(counts: dict[str, int]) -> None:
    for state, count in counts.items():
        OUTBOX.labels(state=state).set(count)


def exposition() -> tuple[bytes, str]:
    """The text format of every metric, and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST
