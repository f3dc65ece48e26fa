"""hoshin_prompts_sent_total: each check-in prompt Slack accepted, counted once."""

from __future__ import annotations

from bot.metrics import PROMPTS_SENT
from tests.prompts.conftest import Cycle, cycle, standin  # noqa: F401 (fixtures)


def test_prompts_sent_counts_each_prompt_once(cycle: Cycle):  # noqa: F811
    before = PROMPTS_SENT._value.get()
    cycle.at(2027, 3, 1, 15, 0)
    cycle.queue()
    cycle.deliver()
    cycle.queue()  # a second run queues nothing, and nothing is counted twice
    cycle.deliver()
    assert len(cycle.prompts()) == 2
    assert PROMPTS_SENT._value.get() == before + 2
