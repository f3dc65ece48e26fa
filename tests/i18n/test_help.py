"""`/hoshin help` in each language: translated throughout, and within Slack's limits."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from slack_bolt import App

from bot.blocks.help import help_message
from bot.i18n import ENGLISH, LANGUAGES, SOURCE, translator
from bot.services import Services
from bot.standin.blockkit import validate_message_blocks
from handlers import register_all


@pytest.fixture(scope="module")
def entries() -> list[tuple[str, str]]:
    app = App(token="xoxb-test", signing_secret="secret", token_verification_enabled=False)
    services = Services(
        settings=mock.MagicMock(),
        engine=mock.MagicMock(),
        clock=mock.MagicMock(),
        review_poster=mock.MagicMock(),
    )
    return register_all(app, services).help_entries()


def shown(message) -> str:
    return message.text + json.dumps(message.blocks, ensure_ascii=False)


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != SOURCE])
def test_the_help_is_translated_and_fits_slack(entries, language) -> None:
    tr = translator(language)
    message = help_message(entries, unknown="frobnicate", tr=tr)
    assert validate_message_blocks(message.blocks) == []
    assert message.text and len(message.text) <= 3000
    text = shown(message)
    for usage, summary, _ in entries:
        assert summary not in text, f"{language}: untranslated: {summary!r}"
        assert tr.gettext(usage) in text and tr.gettext(summary) in text
    for english in ("what you can ask", "I don't know", "private to you", "Hoshin Bot commands"):
        assert english not in text
    assert "`/hoshin frobnicate`" in message.blocks[1]["text"]["text"]


def test_the_usages_keep_what_is_typed(entries) -> None:
    ru, ja = translator("ru"), translator("ja")
    for usage, _, _ in entries:
        command = usage.split()[:2]  # /hoshin and the subcommand
        assert ru.gettext(usage).split()[:2] == command == ja.gettext(usage).split()[:2]
    assert (
        ru.gettext("/hoshin status [REF | @person | YEAR]")
        == "/hoshin status [REF | @человек | ГОД]"
    )


def test_english_is_the_source_text(entries) -> None:
    message = help_message(entries, unknown="frobnicate")
    assert (
        message.as_kwargs() == help_message(entries, unknown="frobnicate", tr=ENGLISH).as_kwargs()
    )
    assert message.blocks[0]["text"]["text"] == "Hoshin Bot: what you can ask"
    assert message.blocks[1]["text"]["text"] == (
        "I don't know `/hoshin frobnicate`. Here is what I can do:"
    )
    assert message.blocks[-1]["elements"][0]["text"] == (
        "Answers to these commands are private to you unless you share them."
    )
    assert message.text.startswith("Hoshin Bot commands: /hoshin help; /hoshin status")
    assert "`/hoshin help`\n      Show this list of commands." in shown(message).replace(
        "\\n", "\n"
    )


def test_each_language_lists_its_own_words_for_the_common_subcommands(entries) -> None:
    russian = shown(help_message(entries, tr=translator("ru")))
    assert "· `/hoshin статус`" in russian and "`/hoshin помощь` · `/hoshin справка`" in russian
    assert "ステータス" not in russian
    japanese = shown(help_message(entries, tr=translator("ja")))
    assert "· `/hoshin ステータス` · `/hoshin 状況`" in japanese and "статус" not in japanese
    assert "статус" not in shown(help_message(entries)) and "ヘルプ" not in shown(
        help_message(entries)
    )
