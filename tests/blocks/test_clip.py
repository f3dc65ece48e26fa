"""The one text primitive: escape first, then bound what Slack receives, never cutting an entity."""

from __future__ import annotations

import html
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.blocks.common import clip, escape, pack_lines, quote, shorten
from tests.text import hostile_text

FAST = settings(max_examples=150, deadline=None)
ENTITY = re.compile(r"&(amp|lt|gt);")


def normalised(text: str) -> str:
    return " ".join(text.split()) if "\n" not in text else text


def test_many_angle_brackets_fit_after_escaping():
    out = clip("<" * 1500, 3000)
    assert len(out) <= 3000 and out.endswith("…")
    assert out[:-1] == "&lt;" * (len(out) // 4)  # whole entities only


def test_an_entity_at_the_cut_is_dropped_whole_not_halved():
    # "ab" + "&lt;" is 6 characters; a limit of 5 keeps 4 before the ellipsis: never "ab&l".
    assert clip("ab<cd", 5) == "ab…"
    assert clip("a&b", 3) == "a…"
    assert clip("a&b", 7) == "a&amp;b"


def test_short_text_is_only_escaped_and_whitespace_handled_as_before():
    assert clip("<!channel> & <@U1>", 100) == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert clip("  a \t b ", 100) == "a b"
    assert clip("a\n  b", 100) == "a\n  b"
    assert clip(None, 10) == "" and clip("", 10) == ""


def test_shorten_never_cuts_entities_or_bot_markup_of_composed_text():
    assert shorten("xx&amp;yy", 6) == "xx…"
    assert shorten("see <@U0VP> now", 9) == "see…"
    assert shorten("&lt;" * 10, 10) == "&lt;&lt;…"


@FAST
@given(text=hostile_text(), limit=st.integers(2, 3000))
@example(text="<\r<<\n", limit=10)  # a multi-line text cut within its first line
def test_clip_is_bounded_escaped_once_and_a_prefix_of_the_text(text, limit):
    out = clip(text, limit)
    assert len(out) <= limit
    assert "<" not in out and ">" not in out
    # Every & left starts a whole entity: nothing was cut in half.
    assert all(ENTITY.match(out, m.start()) for m in re.finditer("&", out))
    whole = normalised(text)
    if len(escape(whole)) <= limit:
        assert out == escape(whole) and html.unescape(out) == whole
    else:
        kept = html.unescape(out[:-1])
        # A cut within the first line is spaced as one-line text is (see `shorten`).
        whole = whole if "\n" in kept else " ".join(text.split())
        assert out.endswith("…") and whole.startswith(kept)


@FAST
@given(text=hostile_text(), limit=st.integers(2, 3000))
@example(text="\r<!channel>\n", limit=6)  # cut within the first line of a multi-line text
def test_clip_is_shorten_of_escape_and_shorten_is_idempotent(text, limit):
    out = clip(text, limit)
    assert out == shorten(escape(text), limit)
    assert shorten(out, limit) == out
    assert clip(text, limit + len(escape(text))) == escape(normalised(text))


@FAST
@given(
    lines=st.lists(hostile_text(4000), min_size=1, max_size=8),
    limit=st.integers(10, 3000),
    budget=st.integers(10, 12000),
)
def test_pack_lines_of_clipped_text_keeps_entities_whole_and_chunks_in_limits(lines, limit, budget):
    chunks, left = pack_lines([escape(line) for line in lines], budget=budget, limit=limit)
    assert 0 <= left <= len(lines)
    for chunk in chunks:
        assert len(chunk) <= limit
        assert all(ENTITY.match(chunk, m.start()) for m in re.finditer("&", chunk))
        assert "<" not in chunk


@FAST
@given(text=hostile_text(), limit=st.integers(2, 3000))
def test_quote_is_bounded_after_quoting_every_line(text, limit):
    out = quote(text, limit)
    assert len(out) <= limit and "<" not in out
    assert all(ENTITY.match(out, m.start()) for m in re.finditer("&", out))


def test_quote_of_many_empty_lines_stays_in_a_section():
    out = quote("\n" * 2999, 2900)
    assert len(out) <= 2900 and out.startswith(">\n>")


def test_a_lone_angle_bracket_in_plain_text_costs_little_of_a_header():
    header = shorten("AN1 · <" + "x" * 300, 150)
    assert len(header) == 150 and header.startswith("AN1 · <xxx")
