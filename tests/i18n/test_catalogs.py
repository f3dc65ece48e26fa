"""The catalogs: every message translated in every language, none fuzzy, the same placeholders as
the English, and the template as the code would extract it today."""

from __future__ import annotations

import re
import shutil
from string import Formatter

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, SOURCE
from bot.i18n.extract import LOCALES, ROOT, extract, init, po_path, refresh, template_path

TRANSLATED = [language for language in LANGUAGES if language != SOURCE]
PLURAL_FORMS = {"ru": 3, "ja": 1}


def read(path, language=None):
    with path.open("rb") as file:
        return read_po(file, locale=language)


def ids(catalog) -> set:
    return {message.id for message in catalog if message.id}


def placeholders(text: str) -> list[str]:
    """`{name}` fields, `%(name)s` / `%s` conversions and `code` spans: what is typed, not read."""
    fields = [f"{{{name}}}" for _, name, _, _ in Formatter().parse(text) if name is not None]
    percent = re.findall(r"%(?:\(\w+\))?[sdifr]", text)
    code = re.findall(r"`[^`]*`", text)
    return sorted([*fields, *percent, *code])


def test_every_language_has_a_catalog_and_every_catalog_a_language() -> None:
    folders = {path.parent.parent.name for path in LOCALES.glob("*/LC_MESSAGES/messages.po")}
    assert folders == set(TRANSLATED)
    assert not list(LOCALES.rglob("*.mo")), "catalogs are compiled when loaded, never committed"


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_catalog_translates_every_message_of_the_template(language) -> None:
    template = read(template_path())
    catalog = read(po_path(language), language)
    assert ids(catalog) == ids(template), "run `hoshin i18n extract`, then translate"
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, f"{language}: fuzzy: {message.id!r}"
        strings = message.string if message.pluralizable else (message.string,)
        assert all(strings), f"{language}: untranslated: {message.id!r}"
        english = message.id if message.pluralizable else (message.id,)
        for string in strings:
            assert placeholders(string) == placeholders(english[-1]), (language, message.id)


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_catalog_has_the_language_s_plural_rule(language) -> None:
    catalog = read(po_path(language), language)
    assert catalog.num_plurals == PLURAL_FORMS[language]
    assert f"nplurals={PLURAL_FORMS[language]};" in catalog.plural_forms


def test_the_placeholder_check_sees_each_kind() -> None:
    assert placeholders("I don't know `/hoshin {word}` %(n)s %s") == [
        "%(n)s",
        "%s",
        "`/hoshin {word}`",
        "{word}",
    ]
    assert placeholders("{n} цель") != placeholders("{count} цель")


def test_the_template_holds_what_the_code_marks_today() -> None:
    assert ids(extract(ROOT)) == ids(read(template_path()))


def test_extracting_again_changes_no_file(tmp_path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales)
    assert refresh(ROOT, locales) == []
    for path in LOCALES.rglob("*.po*"):
        assert (locales / path.relative_to(LOCALES)).read_bytes() == path.read_bytes()


def test_a_new_message_reaches_every_catalog_untranslated(tmp_path) -> None:
    source = tmp_path / "src"
    (source / "bot").mkdir(parents=True)
    (source / "bot" / "new.py").write_text('N_("A brand new message.")\n', encoding="utf-8")
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales)
    changed = refresh(source, locales)
    assert template_path(locales) in changed
    for language in TRANSLATED:
        catalog = read(po_path(language, locales), language)
        assert ids(catalog) == {"A brand new message."}  # the help's messages are not in src
        assert catalog["A brand new message."].string == ""


def test_init_starts_a_new_language_from_the_template(tmp_path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales)
    path = init("de", locales)
    catalog = read(path, "de")
    assert ids(catalog) == ids(read(template_path()))
    untranslated = ("", ("", ""))  # a plural message has one empty string per form
    assert all(message.string in untranslated for message in catalog if message.id)
    assert catalog.num_plurals == 2
    with pytest.raises(FileExistsError):
        init("de", locales)
