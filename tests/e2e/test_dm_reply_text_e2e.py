"""Words written back to the prompt DM arrive escaped by Slack (`&lt;` `&gt;` `&amp;`): they are
decoded once when kept, and escaped once when the review thread shows them."""

from __future__ import annotations

import re

from tests.e2e.conftest import visible
from tests.e2e.test_checkin_e2e import (
    CHANNEL,
    check_in_row,
    dm_event,
    setup_month,
    wait_thread,
)


def slack_escaped(text: str) -> str:
    """What Slack sends in a message event for what the person typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def reply_posts(slack) -> list[dict]:
    """The replies in June's thread as the bot sent them (raw mrkdwn, entities and all)."""
    return [
        c.args
        for c in slack.standin.calls_to("chat.postMessage")
        if c.ok and c.args.get("channel") == CHANNEL and c.args.get("thread_ts")
    ]


def test_a_dm_reply_is_kept_as_typed_and_shown_escaped_once(slack):
    refs = setup_month(slack)
    typed = "a < b && c > d"
    assert slack_escaped(typed) == "a &lt; b &amp;&amp; c &gt; d"  # as Slack sends it

    delivery = slack.sender.event(dm_event("U0VP", slack_escaped(typed)), event_id="Ev0ESC1")

    assert delivery.status == 200
    wait_thread(slack, 2)  # Ana owns AN1 and AN2: a reply for each
    for ref in ("AN1", "AN2"):
        assert check_in_row(slack.engine, refs[ref]).comment == typed
    posted = [visible(p) for p in reply_posts(slack)]
    assert len(posted) == 2
    for shown in posted:
        assert "a &lt; b &amp;&amp; c &gt; d" in shown
        assert "&amp;lt;" not in shown and "&amp;amp;" not in shown and "&amp;gt;" not in shown


def test_entities_the_person_typed_stay_as_typed(slack):
    refs = setup_month(slack)
    typed = "write &lt; for < and &amp; for &, not &quot; or &#60;"

    slack.sender.event(dm_event("U0VP", slack_escaped(typed)), event_id="Ev0ESC2")

    wait_thread(slack, 2)
    assert check_in_row(slack.engine, refs["AN1"]).comment == typed
    assert slack_escaped(typed) in visible(reply_posts(slack)[0])


def test_a_reply_of_400_less_than_signs_does_not_break_the_thread(slack):
    refs = setup_month(slack)

    slack.sender.event(dm_event("U0VP", "&lt;" * 400), event_id="Ev0ESC3")

    wait_thread(slack, 2, contains="replied in DM")
    assert check_in_row(slack.engine, refs["AN1"]).comment == "<" * 400
    refused = [c for c in slack.standin.calls if not c.ok]
    assert not refused, [(c.method, c.response) for c in refused]
    for post in reply_posts(slack):
        shown = visible(post)
        # Escaped once, then bounded (1,600 characters escaped, shown up to the answer's
        # limit), never cutting an entity in half.
        assert "&lt;" * 300 in shown and "&amp;" not in shown
        assert re.search(r"&(?!lt;|gt;|amp;)", shown) is None
        # Every section fits Slack's 3,000 characters.
        for block in post["blocks"]:
            assert len((block.get("text") or {}).get("text", "")) <= 3000
    # A second, ordinary reply is kept below the first (the thread shows what fits of both).
    delivery = slack.sender.event(dm_event("U0VP", "Renewals signed."), event_id="Ev0ESC4")
    assert delivery.status == 200
    assert slack.standin.wait_for(
        lambda _: (check_in_row(slack.engine, refs["AN1"]).comment or "").endswith(
            "\n\nRenewals signed."
        ),
        timeout=20,
    )
