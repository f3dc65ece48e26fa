"""The text of a message event as the person typed it.

Slack escapes `&`, `<` and `>` in message text it sends (`&amp;` `&lt;` `&gt;`) and nothing
else; its own markup (`<@U…>`, `<http…|…>`) stays as markup. What is kept is decoded once,
here, so that builders escape it once when they show it: decoding more (`html.unescape`)
would turn entities the person typed, like `&quot;`, into other text.
"""

from __future__ import annotations

import re

_ENTITY = re.compile(r"&(lt|gt|amp);")
_DECODED = {"lt": "<", "gt": ">", "amp": "&"}


def decode_message_text(text: str) -> str:
    """`&lt;` `&gt;` `&amp;` back to `<` `>` `&`, in one pass (`&amp;lt;` gives `&lt;`)."""
    return _ENTITY.sub(lambda m: _DECODED[m.group(1)], text)
