"""Reading what people type after `/hoshin status`."""

import pytest

from bot.errors import InvalidInput
from handlers.status import parse_status_args


@pytest.mark.parametrize(
    ("text", "kind", "ref", "user", "year"),
    [
        ("", "plan", None, None, None),
        ("   ", "plan", None, None, None),
        ("AN1", "objective", "AN1", None, None),
        ("an1.2", "objective", "an1.2", None, None),
        ("<@U0ANA|ana>", "person", None, "U0ANA", None),
        ("<@U0ANA>", "person", None, "U0ANA", None),
        ("<@U0ANA003|Ana Ferreira>", "person", None, "U0ANA003", None),
        ("  <@W0ANA|ana>  ", "person", None, "W0ANA", None),
        ("@ana", "person", None, "ana", None),
        ("2027", "plan", None, None, 2027),
        ("FY2028", "plan", None, None, 2028),
    ],
)
def test_parses(text, kind, ref, user, year):
    query = parse_status_args(text)
    assert (query.kind, query.ref, query.user, query.year) == (kind, ref, user, year)


@pytest.mark.parametrize("text", ["AN1 AN2", "<script>", "@", "a" * 80])
def test_refuses_with_a_clear_message(text):
    with pytest.raises(InvalidInput) as error:
        parse_status_args(text)
    assert "`" in error.value.message  # names what to type instead
