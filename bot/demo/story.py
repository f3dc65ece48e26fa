"""The demo's script for fiscal year 2027: who answers when, and what the numbers say.

Pure data and arithmetic, no Slack and no database: `bot.demo.year` plays it. Everything is
deterministic (a table, and a generator seeded by objective and month), so two runs of the
demo tell the same story.

The story, in short: most owners check in the day after their prompt, near or ahead of plan.
Japan starts slowly until the reseller contracts are signed (at risk February to April). The
payments test suite (AN8.1.1) is off track in June and July, when the parallel shards hit a
shared database, and back on plan in August. Support response (AN5.2) is off track in
September, after a release doubled the tickets. The win rate (AN3) slips in November, when a
new competitor undercuts on price, and ends the year two points short of its target. A few owners answer only after their reminder
each month; Kevin O'Brien misses October's until Ana Ferreira, his manager, is told. Henrik
Larsen and Yuki Tanaka reply to their prompt in words before checking in, and Emma Schulz is
away for August.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

YEAR = 2027
PERIODS = tuple(f"{YEAR}-{m:02d}" for m in range(1, 13))

# Owners who check in only after their reminder (day 4 or 5 of the month's cycle).
LATE: dict[str, tuple[str, ...]] = {
    "2027-01": ("U0TOMB11", "U0KENJ26"),
    "2027-02": ("U0HENR07", "U0RACH13", "U0MIAH21"),
    "2027-03": ("U0LUKA19", "U0EMMA27"),
    "2027-04": ("U0PAUL12", "U0KENJ26"),
    "2027-05": ("U0JONA05", "U0HANN24"),
    "2027-06": ("U0TOMB11", "U0AIKO17"),
    "2027-07": ("U0RACH13", "U0MATE25"),
    "2027-08": ("U0YUKI10", "U0LAUR22", "U0JANN18"),
    "2027-09": ("U0PAUL12", "U0CLAI23"),
    "2027-10": ("U0OSKA20", "U0HANN24"),
    "2027-11": ("U0KENJ26", "U0LEA008"),
    "2027-12": ("U0MIAH21", "U0STEF14"),
}
# The one owner who has not answered a week after the prompt: their manager is told.
ESCALATED: dict[str, str] = {"2027-10": "U0KEVI09"}
# Words written back to the prompt DM (kept as the month's comment) by an owner who is late.
TEXT_REPLIES: dict[tuple[str, str], str] = {
    ("2027-02", "U0HENR07"): (
        "No pulse survey in February: the Q1 pulse runs in March, so eNPS stays at 12 until then."
    ),
    ("2027-08", "U0YUKI10"): (
        "Obon week here, the office is closed. Two contracts signed, numbers on Monday."
    ),
}
# Who types `/hoshin away until ...` in which month (after checking in), skipping the next prompt.
AWAY: tuple[str, str, date] = ("2027-07", "U0EMMA27", date(2027, 8, 20))
# The month in which Jan Novak marks the action under AN7.1.2 done.
ACTION_DONE_PERIOD = "2027-06"
# The objective that goes off track two months running (the A3 countermeasure's trigger).
TWICE_OFF_TRACK = ("AN8.1.1", ("2027-06", "2027-07"))


@dataclass(frozen=True)
class Scripted:
    """An answer written out in full; `actual` None means "near plan", from the generator."""

    status: str
    actual: float | None = None
    what_happened: str | None = None
    challenges: str | None = None
    countermeasure: str | None = None


SCRIPT: dict[tuple[str, str], Scripted] = {
    ("AN7.1.2", "2027-04"): Scripted(
        "at_risk",
        6.5,
        "Per-team routing is live for 31 of 48 services.",
        "The two legacy services still page through the shared rota.",
        "Jan moves them in May; until then a follow-the-sun rota.",
    ),
    ("AN7.1.2", "2027-05"): Scripted(
        "at_risk",
        6.6,
        "One legacy service moved; the second needs its alert rules rewritten.",
        "Its alerts fire on symptoms, not on the owning team's SLO.",
        "Aiko rewrites the rules against the new SLOs; Jan finishes the move in June.",
    ),
    ("AN7.1.2", "2027-07"): Scripted(
        "on_track", 4.9, "Both legacy services page their own teams since 28 June."
    ),
    ("AN2", "2027-02"): Scripted(
        "at_risk",
        0,
        "Three customers in trial; none signed yet.",
        "The reseller contracts are still with legal in Osaka.",
        "Sign directly with the two furthest-along trials while the resellers come through.",
    ),
    ("AN2", "2027-03"): Scripted(
        "at_risk",
        1,
        "First direct customer signed.",
        "Resellers signed on 29 March, a month later than planned.",
        "Joint pipeline review with both resellers every Monday from April.",
    ),
    ("AN2", "2027-04"): Scripted(
        "at_risk",
        2,
        "Two customers live, four in negotiation through the resellers.",
        "Invoice-format certification (AN2.1) is a buyer's question in every deal.",
        "Share the certification timeline in every proposal; Laura joins the top four calls.",
    ),
    ("AN2", "2027-05"): Scripted("on_track", 4, "Two reseller deals closed: back on plan."),
    ("AN8.1", "2027-06"): Scripted(
        "at_risk",
        6,
        "Six deploys a week: the slower test suite holds back the trains.",
        "Every merge waits for the payments suite (see AN8.1.1).",
        "Two deploy trains a day instead of continuous until the suite is back under 20 minutes.",
    ),
    ("AN8.1.1", "2027-06"): Scripted(
        "off_track",
        29,
        "The suite is back up to 29 minutes after the shards went live.",
        "All eight shards share one Postgres fixture: they wait on each other's migrations.",
        "Give every shard its own database cloned from a template; Mia pairs with me on it.",
    ),
    ("AN8.1.1", "2027-07"): Scripted(
        "off_track",
        26,
        "Template databases cut setup from 9 to 4 minutes; still 26 minutes in total.",
        "The ledger fixtures still load row by row in every shard.",
        "Load the fixtures once into the template and snapshot it; no new test above 30 s.",
    ),
    ("AN8.1.1", "2027-08"): Scripted(
        "on_track", 18, "Snapshot fixtures landed on 9 August: 18 minutes, under the plan of 19."
    ),
    ("AN5.2", "2027-09"): Scripted(
        "off_track",
        3.6,
        "The v5 release doubled ticket volume for two weeks: median first response 3.6 hours.",
        "Known issues in the new reconciliation screen, the same question 400 times.",
        "A release-week rota with engineers on tier 2, and known-issue macros before each release.",
    ),
    ("AN9", "2027-03"): Scripted(
        "at_risk",
        15,
        "Q1 pulse: eNPS 15, up from 12 but short of 17.",
        "Weekly one-to-ones happen in only half the teams.",
        "Managers' one-to-one cadence goes on every leadership agenda; Henrik checks monthly.",
    ),
    ("AN3", "2027-11"): Scripted(
        "at_risk",
        27,
        "Lost four of seven deals against the newcomer that entered the mid-market in Q3.",
        "Our battlecards cover the top two competitors; the newcomer undercuts both on price.",
        "A battlecard for the newcomer, written with the two best closers, by mid-December.",
    ),
    ("AN3", "2027-12"): Scripted(
        "at_risk",
        28,
        "28% in December: better, but the year ends two points short of 30%.",
        "The newcomer's price in deals under €50k.",
        "The new battlecard is in use; the win rate target carries into 2028.",
    ),
    ("AN1.2", "2027-10"): Scripted(
        "at_risk",
        3.9,
        "Two large deals slipped into November.",
        "Procurement reviews at both prospects take six weeks, not four.",
        "Start security reviews at the first demo, not after the proposal.",
    ),
}
GENERIC = (
    "On plan; nothing to escalate.",
    "A steady month, slightly ahead of plan.",
    "Ahead of plan after a strong last week.",
    "On plan: the team kept the cadence.",
)


@dataclass(frozen=True)
class Metric:
    """What the script needs of an objective: its plan and direction."""

    ref: str
    baseline: float
    target: float
    plan: tuple[float, ...]
    higher_is_better: bool
    unit: str | None = None


@dataclass(frozen=True)
class Reply:
    """One check-in as the owner types it into the modal."""

    actual: float
    status: str
    what_happened: str | None
    challenges: str | None
    countermeasure: str | None

    def actual_text(self) -> str:
        return f"{self.actual:g}"


def _decimals(values) -> int:
    places = 0
    for v in values:
        text = f"{v:g}"
        if "." in text:
            places = max(places, len(text.split(".")[1]))
    return places


def answer(metric: Metric, period: str) -> Reply:
    """What `metric`'s owner answers for `period`: the script, else near or ahead of plan."""
    month = int(period[5:]) - 1
    plan = metric.plan[month]
    scripted = SCRIPT.get((metric.ref, period))
    if scripted is not None and scripted.actual is not None:
        return Reply(
            scripted.actual,
            scripted.status,
            scripted.what_happened,
            scripted.challenges,
            scripted.countermeasure,
        )
    rng = random.Random(f"acme-{YEAR}:{metric.ref}:{period}")
    span = abs(metric.target - metric.baseline) or abs(plan) or 1.0
    ahead = rng.uniform(0.0, 0.04) * span
    places = _decimals((metric.baseline, metric.target, *metric.plan))
    actual = plan + ahead if metric.higher_is_better else plan - ahead
    if metric.unit == "%" and max(metric.baseline, metric.target) <= 100:
        actual = min(actual, 100.0)  # a share of something; retention may well pass 100 %
    actual = round(actual, places) if places else float(round(actual))
    return Reply(actual, "on_track", rng.choice(GENERIC), None, None)


def told(slack_user_id: str, ref: str, period: str) -> bool:
    """Whether the story tells this answer (so the transcript may show it, click by click)."""
    return (
        (ref, period) in SCRIPT
        or answer_time_day(period, slack_user_id) > 1
        or (period, slack_user_id) in TEXT_REPLIES
    )


def answer_time_day(period: str, slack_user_id: str) -> int:
    """The day of the month's cycle (0 = the prompt's day) on which this owner checks in."""
    if ESCALATED.get(period) == slack_user_id:
        return 8
    if slack_user_id in LATE.get(period, ()):
        return 4
    return 1
