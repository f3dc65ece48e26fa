"""Catchball (Hoshin step 4): cascaded objectives, and changes to them, agreed in rounds.

A round is one proposal and one answer. Who answers follows from three people: the proposer,
the proposed owner, and the approver (the owner of the parent objective):

- the approver proposes to someone else: that owner accepts (which settles it) or
  counter-proposes, and a counter goes back to the approver;
- the owner proposes: the approver approves, asks for changes or rejects;
- a third person proposes: the owner accepts or counters first, then the approver decides;
- the approver proposes for themselves: nobody else has to agree.

An admin may answer any round. "Changes requested" waits for the round's proposer to revise,
which opens the next round; revising a round still pending supersedes it. Approval makes a
proposed objective active, or applies a change to an active one, which keeps its values until
then.

This module holds the rules, pure of storage and Slack; `bot.catchball.service` applies them
to the database, re-reading and re-checking everything on every click.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Literal

from bot.blocks.common import slack_time
from bot.catchball.model import FIELD_NAMES, Move, Proposal, RoundKind, RoundView
from bot.errors import HoshinError
from storage.models import CatchballDecision as Decision
from storage.models import CatchballRound, Objective, Person


class IllegalMove(HoshinError):
    """A move this round does not allow (a forged click, or the other kind of round)."""


class StaleRound(HoshinError):
    """The round was answered or replaced already; the message says by whom and what is current."""


# ---- the proposal ---------------------------------------------------------------------------


def diff(before: Proposal, after: Proposal) -> dict[str, list[Any]]:
    """{field: [before, after]} for every field that differs."""
    old, new = before.as_json(), after.as_json()
    return {key: [old[key], new[key]] for key in FIELD_NAMES if old[key] != new[key]}


# ---- the state machine ----------------------------------------------------------------------


MOVES = {
    RoundKind.ANSWER: (Move.ACCEPT, Move.COUNTER),
    RoundKind.APPROVAL: (Move.APPROVE, Move.REQUEST_CHANGES, Move.REJECT),
}
NEEDS_REASON = frozenset({Move.REQUEST_CHANGES, Move.REJECT, Move.COUNTER})
SETTLED = frozenset({Decision.APPROVED, Decision.REJECTED})
DONE = {
    Decision.APPROVED: "approved",
    Decision.ACCEPTED: "accepted",
    Decision.COUNTERED: "answered with a counter-proposal",
    Decision.CHANGES_REQUESTED: "sent back for changes",
    Decision.REJECTED: "rejected",
    Decision.SUPERSEDED: "superseded by a revised proposal",
}


def round_kind(*, decider_id: int, owner_id: int | None, approver_id: int | None) -> RoundKind:
    if decider_id == owner_id and decider_id != approver_id:
        return RoundKind.ANSWER
    return RoundKind.APPROVAL


def first_decider(*, proposer_id: int, owner_id: int, approver_id: int) -> int | None:
    """Who answers a fresh proposal; None when nobody needs to (the approver's own objective)."""
    if proposer_id == approver_id:
        return None if owner_id == approver_id else owner_id
    if proposer_id == owner_id:
        return approver_id
    return owner_id  # a third person's proposal: the owner has a say before the approver


@dataclass(frozen=True)
class Step:
    """Where a move leads: the round's decision, and what follows from it."""

    decision: Decision
    settles: Literal["approved", "rejected"] | None = None
    next_round: tuple[int, int] | None = None  # (proposer, decider) of the round it opens


def play(move: Move, *, kind: RoundKind, proposer_id: int, owner_id: int, approver_id: int) -> Step:
    """The rules of one move on a pending round of this kind; IllegalMove for any other move."""
    check_legal(move, kind)
    if move == Move.APPROVE:
        return Step(Decision.APPROVED, settles="approved")
    if move == Move.REJECT:
        return Step(Decision.REJECTED, settles="rejected")
    if move == Move.REQUEST_CHANGES:
        return Step(Decision.CHANGES_REQUESTED)
    if move == Move.ACCEPT and proposer_id == approver_id:
        # The approver proposed it, so the owner's yes is the agreement: stored as the approval.
        return Step(Decision.APPROVED, settles="approved")
    decision = Decision.ACCEPTED if move == Move.ACCEPT else Decision.COUNTERED
    return Step(decision, next_round=(owner_id, approver_id))


def check_legal(move: Move, kind: RoundKind) -> None:
    if move not in MOVES[kind]:
        waits = "the owner to accept or counter" if kind == RoundKind.ANSWER else "a decision"
        raise IllegalMove(f"This round waits for {waits}; it can't be {_MOVE_PAST[move]}.")


_MOVE_PAST = {
    Move.APPROVE: "approved",
    Move.REQUEST_CHANGES: "sent back for changes",
    Move.REJECT: "rejected",
    Move.ACCEPT: "accepted",
    Move.COUNTER: "countered",
}


# ---- one objective's catchball, as stored ----------------------------------------------------


class Send(StrEnum):
    """The messages a catchball calls for."""

    ASK = "ask"  # the decision DM to the round's decider, with the buttons
    OUTCOME = "outcome"  # that DM again, its buttons replaced by the outcome
    NOTICE = "notice"  # the proposer hears how the round was answered
    RECEIPT = "receipt"  # the proposer hears where the proposal went


@dataclass(frozen=True)
class Delivery:
    send: Send
    round: RoundView
    to: str  # a Slack user id; OUTCOME updates that person's decision DM of the round
    key: str  # the outbox key: what the message says, so it is sent once


@dataclass
class Catchball:
    """An objective, its parent and its rounds, with the people they name."""

    objective: Objective
    parent: Objective
    rounds: list[CatchballRound]
    people: dict[int, Person]

    @property
    def approver_id(self) -> int | None:
        return self.parent.owner_id

    @property
    def latest(self) -> CatchballRound | None:
        return self.rounds[-1] if self.rounds else None

    def slack_id(self, person_id: int | None) -> str:
        person = self.people.get(person_id) if person_id is not None else None
        return person.slack_user_id if person else "nobody"

    def owner_of(self, round: CatchballRound) -> Person | None:
        wanted = Proposal.from_json(round.proposal).owner
        return next((p for p in self.people.values() if p.slack_user_id == wanted), None)

    def kind(self, round: CatchballRound) -> RoundKind:
        owner = self.owner_of(round)
        return round_kind(
            decider_id=round.decider_id,
            owner_id=owner.id if owner else None,
            approver_id=self.approver_id,
        )

    def _near(self, round: CatchballRound, step: int) -> CatchballRound | None:
        return next((r for r in self.rounds if r.round_no == round.round_no + step), None)

    def opens_run(self, round: CatchballRound) -> bool:
        """The first round of a proposal, as against a round that answers the one before."""
        previous = self._near(round, -1)
        return previous is None or previous.decision in SETTLED

    def is_change(self, round: CatchballRound) -> bool:
        # An objective born in catchball has no diff in its first round; one that existed
        # before (from the plan file) is compared with its values from the first round on.
        if self.rounds and self.rounds[0].diff is not None:
            return True
        return any(
            r.decision == Decision.APPROVED for r in self.rounds if r.round_no < round.round_no
        )

    def base(self) -> Proposal:
        """What the next round is compared with: the open proposal, else the objective."""
        latest = self.latest
        if latest is not None and latest.decision not in SETTLED:
            return Proposal.from_json(latest.proposal)
        return Proposal.of_objective(self.objective, self.slack_id(self.objective.owner_id))

    def view(self, round: CatchballRound) -> RoundView:
        successor = self._near(round, +1)
        return RoundView(
            round_id=round.id,
            round_no=round.round_no,
            ref=self.objective.ref,
            year=self.objective.year,
            parent_ref=self.parent.ref,
            parent_title=self.parent.title,
            parent_target=self.parent.target,
            parent_unit=self.parent.metric_unit,
            kind=self.kind(round),
            is_change=self.is_change(round),
            proposer=self.slack_id(round.proposer_id),
            decider=self.slack_id(round.decider_id),
            approver=self.slack_id(self.approver_id),
            proposal=Proposal.from_json(round.proposal),
            diff=round.diff,
            compared_with=None if self.opens_run(round) else round.round_no - 1,
            note=round.note,
            decision=Decision(round.decision),
            decided_by=self.slack_id(round.decided_by_id) if round.decided_by_id else None,
            decided_at=round.decided_at,
            reason=round.reason,
            successor_no=successor.round_no if successor else None,
            successor_decider=self.slack_id(successor.decider_id) if successor else None,
            dm_channel=round.dm_channel,
            dm_ts=round.dm_ts,
        )

    def stale_reason(self, round: CatchballRound) -> str:
        """Why a click on this round changes nothing: who answered it when, and what is current."""
        when = slack_time(round.decided_at)
        text = f"Round {round.round_no} of *{self.objective.ref}* was already "
        if round.decision == Decision.SUPERSEDED:
            text += f"superseded by a revised proposal {when}."
        else:
            who = self.slack_id(round.decided_by_id)
            text += f"{DONE[Decision(round.decision)]} by <@{who}> {when}."
        latest = self.latest
        if latest is not None and latest.round_no != round.round_no:
            if latest.decision == Decision.PENDING:
                waiting = self.slack_id(latest.decider_id)
                text += f" Round {latest.round_no} is current, waiting for <@{waiting}>."
            else:
                text += (
                    f" The latest, round {latest.round_no}, was {DONE[Decision(latest.decision)]}."
                )
        return text

    def due(
        self,
        *,
        created: Collection[int] = (),
        decided: Collection[int] = (),
        asked: Collection[int] = (),
    ) -> list[Delivery]:
        """The messages one change calls for, each keyed by what it says (sent once per key).

        `created` and `decided` are the ids of the rounds the change added and answered (a
        round approved at once is both); the round before each new one shows its successor in
        its DM. Only a round whose decision DM was sent or queued (`asked`, or recorded on the
        round) has a DM to update.
        """
        found: list[Delivery] = []
        for round in self.rounds:
            new = round.id in created
            answered = round.decision != Decision.PENDING and (new or round.id in decided)
            successor = self._near(round, +1)
            followed = successor is not None and successor.id in created
            if not (new or answered or followed):
                continue
            view = self.view(round)
            previous = self._near(round, -1)
            if new and round.decision == Decision.PENDING:
                found.append(Delivery(Send.ASK, view, view.decider, f"ask:{round.id}"))
            if new and (
                previous is None or previous.decision not in (Decision.ACCEPTED, Decision.COUNTERED)
            ):
                # Made in the propose modal (not by Accept or Counter): its proposer hears where
                # it went.
                found.append(Delivery(Send.RECEIPT, view, view.proposer, f"receipt:{round.id}"))
            has_dm = round.id in asked or bool(round.dm_ts)
            if (answered or followed) and round.decision != Decision.PENDING and has_dm:
                key = f"outcome:{round.id}:{round.decision}:{view.successor_no or 0}"
                found.append(Delivery(Send.OUTCOME, view, view.decider, key))
            if answered and _notice_due(round, view):
                found.append(Delivery(Send.NOTICE, view, view.proposer, f"notice:{round.id}"))
        # notice:{id} is storage.catchball.notice_key, which a revision's update names.
        return [replace(d, key=f"catchball.{d.key}") for d in found]


def _notice_due(round: CatchballRound, view: RoundView) -> bool:
    if round.decision in (Decision.PENDING, Decision.SUPERSEDED):
        return False
    if round.decided_by_id == round.proposer_id:
        return False  # approved at once, or answered by the proposer acting as an admin
    if round.decision in (Decision.ACCEPTED, Decision.COUNTERED):
        # The next round's DM reaches its decider; anyone else who proposed hears of it.
        return view.successor_decider is not None and view.successor_decider != view.proposer
    return True
