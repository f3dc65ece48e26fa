"""Who hears which language: a person what they chose with `/hoshin language`, else their Slack
locale, else the workspace's language; a channel the workspace's (`settings.language` in the
plan file). The messages themselves are bot/i18n's."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlmodel import Session

from bot.blocks.common import clip
from bot.errors import InvalidInput, NotAllowed
from bot.i18n import LANGUAGES, N_, SOURCE, translator
from storage.models import Person, Workspace
from storage.workspaces import choose_language, find_person, find_workspace, remember_locale

log = logging.getLogger(__name__)

# Where a person's language comes from, as `language_source` says it.
CHOSEN, SLACK, WORKSPACE = "chosen", "slack", "workspace"
AUTO = "auto"  # `/hoshin language auto`: no language of one's own
# Slack's locale for everyone who never picked one: it says nothing about the person, so it does
# not outweigh the workspace's language.
SLACK_DEFAULT_LOCALE = "en-US"


def locale_language(locale: str | None) -> str | None:
    """The language a Slack locale asks for (ru-RU -> ru, ja-JP -> ja, any other -> en); None
    for no locale, or Slack's default one."""
    if not locale or locale == SLACK_DEFAULT_LOCALE:
        return None
    base = locale.replace("_", "-").partition("-")[0].lower()
    return base if base in LANGUAGES else SOURCE


def language_source(
    person: Person | None, workspace: Workspace | None, *, locale: str | None = None
) -> tuple[str, str]:
    """The language `person` hears and where it comes from (CHOSEN, SLACK or WORKSPACE): what
    they chose with `/hoshin language`, else their Slack locale, else the workspace's language.
    `locale` stands in for a stored one (for someone the plan does not list)."""
    if person is not None and person.language in LANGUAGES:
        return person.language, CHOSEN
    spoken = locale_language(person.locale if person is not None and person.locale else locale)
    if spoken is not None:
        return spoken, SLACK
    language = workspace.language if workspace is not None else SOURCE
    return (language if language in LANGUAGES else SOURCE), WORKSPACE


def language_of(
    person: Person | None, workspace: Workspace | None, *, locale: str | None = None
) -> str:
    """The language `person` hears (see `language_source`); a channel hears the workspace's."""
    return language_source(person, workspace, locale=locale)[0]


def slack_locale(client: WebClient, slack_user_id: str) -> str | None:
    """Slack's locale of a person ("ru-RU"), or None when Slack does not say."""
    try:
        user = client.users_info(user=slack_user_id, include_locale=True)["user"]
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else "unknown"
        log.warning("users.info for the locale failed: %s", error)
        return None
    except (SlackClientError, OSError) as exc:  # Slack unreachable, a timeout: ask another time
        log.warning("users.info for the locale failed: %s", type(exc).__name__)
        return None
    locale = user.get("locale")
    return locale if isinstance(locale, str) and locale else None


def requester_language(
    session: Session, client: WebClient, *, team_id: str, user_id: str, fresh: bool = False
) -> tuple[str, str, Person | None]:
    """The language of the person making a request, where it comes from, and their Person (None
    when the plan does not list them, or there is no plan).

    Slack is asked for their locale when nothing is known of it (then it is kept on their
    Person), or when `fresh`; for someone the plan does not list, every time.
    """
    workspace = find_workspace(session, team_id=team_id)
    person = None
    if workspace is not None:
        person = find_person(session, workspace_id=workspace.id, slack_user_id=user_id)
    locale = person.locale if person is not None else None
    chosen = person is not None and person.language in LANGUAGES
    if fresh or (locale is None and not chosen):
        locale = slack_locale(client, user_id)
        if person is not None and locale is not None:
            remember_locale(session, person, locale)
    return *language_source(person, workspace, locale=locale), person


# ---- `/hoshin language` ----------------------------------------------------------------------

# Each said in the language it names.
WILL_SPEAK = {
    "en": N_("Hoshin Bot will speak to you in English."),
    "ru": N_("Hoshin Bot will speak to you in Russian."),
    "ja": N_("Hoshin Bot will speak to you in Japanese."),
}
SPEAKS = {
    "en": N_("Hoshin Bot speaks to you in English."),
    "ru": N_("Hoshin Bot speaks to you in Russian."),
    "ja": N_("Hoshin Bot speaks to you in Japanese."),
}
WHY = {
    CHOSEN: N_("You chose it; `/hoshin language auto` follows your Slack language again."),
    SLACK: N_(
        "It is your Slack language; choose another with `/hoshin language en`, `ru` or `ja`."
    ),
    WORKSPACE: N_(
        "It is your workspace's language; choose your own with `/hoshin language en`, `ru` or `ja`."
    ),
}


def change_language(
    session: Session, client: WebClient, *, team_id: str, user_id: str, args: str
) -> str:
    """What `/hoshin language [en | ru | ja | auto]` answers (in the person's language after it),
    having kept their choice. Nothing given: their language now and where it comes from."""
    word = args.strip().lower()
    language, source, person = requester_language(
        session, client, team_id=team_id, user_id=user_id, fresh=not word or word == AUTO
    )
    if not word:
        tr = translator(language)
        return f"{tr.gettext(SPEAKS[language])} {tr.gettext(WHY[source])}"
    if word not in (*LANGUAGES, AUTO):
        tr = translator(language)
        says = tr.gettext(
            "`{word}` is not a language I speak. Use `/hoshin language en` (English), `ru` "
            "(Russian), `ja` (Japanese), or `auto` to follow your Slack language."
        )
        raise InvalidInput(says.format(word=clip(args.strip().replace("`", "'"), 40)))
    if person is None:
        raise NotAllowed(
            translator(language).gettext(
                "Your workspace's plan does not list you yet, so I can't keep a language for "
                "you. Ask an admin to add you to the plan."
            )
        )
    choose_language(session, person, None if word == AUTO else word)
    language, source = language_source(person, find_workspace(session, team_id=team_id))
    tr = translator(language)
    answer = tr.gettext(WILL_SPEAK[language])
    return answer if word != AUTO else f"{answer} {tr.gettext(WHY[source])}"
