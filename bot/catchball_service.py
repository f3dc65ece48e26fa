"""Catchball against the database, as its callers use it (`bot.catchball` has the rules).

- proposing: `bot.catchball_proposals` (the propose modal's form, a proposal, a draft's round);
- answering a round: `bot.catchball_decisions`;
- an objective's catchball as stored: `bot.catchball_rounds`;
- what Slack must hear of a change, queued with it: `bot.catchball_messages`.
"""

from __future__ import annotations

from bot.catchball_decisions import check_move, make_move
from bot.catchball_proposals import open_new, open_round, propose_draft, submit_proposal
from bot.catchball_rounds import load

__all__ = [
    "check_move",
    "load",
    "make_move",
    "open_new",
    "open_round",
    "propose_draft",
    "submit_proposal",
]
