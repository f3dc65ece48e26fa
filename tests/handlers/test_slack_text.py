"""Decoding the text of a message event: exactly the three entities Slack escapes, once."""

from __future__ import annotations

import pytest

from handlers.slack_text import decode_message_text


@pytest.mark.parametrize(
    "sent, typed",
    [
        ("a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"),
        ("&amp;lt;", "&lt;"),  # the person typed an entity: it stays one
        ("&amp;amp;", "&amp;"),
        ("&lt;!channel&gt;", "<!channel>"),  # stored as typed; escaped again when shown
        ("&quot; &#60; &#x3c; &nbsp; &copy;", "&quot; &#60; &#x3c; &nbsp; &copy;"),
        ("&lt" + ";", "<"),
        ("&lt &gt &amp", "&lt &gt &amp"),  # no semicolon: not an entity
        ("", ""),
        ("<@U0VP> and <http://x.example|x>", "<@U0VP> and <http://x.example|x>"),
    ],
)
def test_exactly_lt_gt_and_amp_are_decoded_once(sent, typed):
    assert decode_message_text(sent) == typed


def test_decoding_what_slack_escaped_gives_back_what_was_typed():
    for typed in ("<<>>&&", "&lt;&gt;&amp;", "&&lt;;", "x" * 10 + "&" * 5):
        sent = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert decode_message_text(sent) == typed
