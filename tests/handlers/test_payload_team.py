"""Which workspace a Slack request comes from, whatever shape of body carries it."""

from __future__ import annotations

import pytest

from bot.scope import team_id_of


@pytest.mark.parametrize(
    ("body", "team"),
    [
        ({"team": {"id": "T1"}, "team_id": "T2"}, "T1"),  # block_actions, view_submission
        ({"team_id": "T2", "event": {}}, "T2"),  # events, slash commands
        ({"team": None, "user": {"id": "U1", "team_id": "T3"}}, "T3"),  # org-wide install
        ({"team": {"id": ""}, "team_id": "T2"}, "T2"),
        ({"team": "T4"}, "T4"),
    ],
)
def test_the_team_is_read_from_where_slack_puts_it(body, team):
    assert team_id_of(body) == team


@pytest.mark.parametrize(
    "body",
    [{}, None, [], "T1", {"team": {"id": 5}}, {"team_id": ["T1"]}, {"user": "U1"}],
)
def test_a_body_without_a_team_names_none(body):
    assert team_id_of(body) is None
