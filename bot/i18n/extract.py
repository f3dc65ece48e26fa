"""Collect the bot's messages into the template, and carry them into each language's catalog.

`hoshin i18n extract` (or `make messages`) runs `refresh`: Babel's extractor reads the source for
`gettext`, `ngettext` and `N_` calls, writes `locales/messages.pot`, and updates every `.po` (new
messages come in untranslated, or fuzzy when Babel finds a near match, and gone ones leave). A file
is written only when its content changes, so running it on a current checkout changes nothing.
`hoshin i18n init LANG` starts the catalog of a new language from the template.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, LANGUAGES, SOURCE

ROOT = Path(__file__).resolve().parents[2]  # the checkout: the messages are read from its source
LOCALES = Path(__file__).resolve().parent / "locales"
SOURCES = ("bot", "handlers", "schedules", "storage")
COMMENT_TAGS = ("Translators:",)  # `# Translators: …` above a message reaches the catalog
PROJECT = "hoshin-bot"
TEMPLATE_HEADER = (
    "# The messages of hoshin-bot, written by `hoshin i18n extract`: do not edit by hand.\n#"
)
LANGUAGE_HEADER = (
    "# {name} translations for hoshin-bot (source: messages.pot; see the README, Languages).\n"
    "# This file is distributed under the same license as the hoshin-bot project.\n#"
)


def template_path(locales: Path = LOCALES) -> Path:
    return locales / f"{DOMAIN}.pot"


def po_path(language: str, locales: Path = LOCALES) -> Path:
    return locales / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract(root: Path = ROOT) -> Catalog:
    """Every marked message in the source under `root`, with where it is and its comments."""
    catalog = Catalog(project=PROJECT, domain=DOMAIN, fuzzy=False, header_comment=TEMPLATE_HEADER)
    for top in SOURCES:
        found = extract_from_dir(
            root / top,
            keywords=DEFAULT_KEYWORDS,
            comment_tags=COMMENT_TAGS,
            strip_comment_tags=True,
            directory_filter=lambda path: Path(path).name not in ("migrations", "__pycache__"),
        )
        for filename, lineno, message, comments, context in found:
            catalog.add(
                message,
                None,
                [(f"{top}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def refresh(root: Path = ROOT, locales: Path = LOCALES) -> list[Path]:
    """Rewrite the template from the source and update each catalog; the files that changed."""
    template = extract(root)
    changed = []
    pot = template_path(locales)
    if pot.exists():  # keep the old date when nothing else differs
        template.creation_date = _read(pot).creation_date
    if _write(pot, template, stamp=True):
        changed.append(pot)
    for language in LANGUAGES:
        if language == SOURCE:
            continue
        path = po_path(language, locales)
        catalog = _read(path, language)
        catalog.update(template, update_creation_date=False)
        if _write(path, catalog):
            changed.append(path)
    return changed


def init(language: str, locales: Path = LOCALES) -> Path:
    """A new, untranslated catalog for `language`, from the template."""
    path = po_path(language, locales)
    if path.exists():
        raise FileExistsError(f"{path} exists; `hoshin i18n extract` updates it")
    template = _read(template_path(locales))
    header = LANGUAGE_HEADER.format(name=Locale.parse(language).english_name)
    catalog = Catalog(
        locale=language, domain=DOMAIN, project=PROJECT, fuzzy=False, header_comment=header
    )
    catalog.update(template)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, catalog)
    return path


def _read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=language, domain=DOMAIN)


def _write(path: Path, catalog: Catalog, *, stamp: bool = False) -> bool:
    """Write `catalog` to `path` unless the file already says the same; whether it wrote."""
    text = _render(catalog)
    if path.exists() and path.read_bytes() == text:
        return False
    if stamp:
        catalog.creation_date = dt.datetime.now(dt.UTC).replace(microsecond=0)
        text = _render(catalog)
    path.write_bytes(text)
    return True


def _render(catalog: Catalog) -> bytes:
    out = BytesIO()
    write_po(out, catalog, width=100, ignore_obsolete=True, include_lineno=False)
    return out.getvalue()
