"""Catchball against the database, as its callers use it (`bot.catchball.rules` has the rules).

- proposing: `bot.catchball.proposals` (the propose modal's form, a proposal, a draft's round);
- answering a round: `bot.catchball.decisions`;
- an objective's catchball as stored: `bot.catchball.rounds`;
- what Slack must hear of a change, queued with it: `bot.catchball.messages`.
"""

from __future__ import annotations

from bot.catchball.decisions import check_move, make_move
from bot.catchball.proposals import open_new, open_round, propose_draft, submit_proposal
from bot.catchball.rounds import load

__all__ = [
    "check_move",
    "load",
    "make_move",
    "open_new",
    "open_round",
    "propose_draft",
    "submit_proposal",
]
