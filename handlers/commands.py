"""The `/hoshin` slash command: one registry routes subcommands and generates the help."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App

from bot import ids
from bot.blocks.help import help_message
from bot.i18n import N_
from bot.i18n.commands import aliases_of, keyword
from bot.services import Services
from handlers.common import acknowledge, bind, requester_translator
from handlers.errors import replies_errors

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommandRequest:
    """A parsed `/hoshin` invocation, handed to a subcommand's runner."""

    services: Services
    team_id: str
    user_id: str
    channel_id: str | None
    args: str
    trigger_id: str | None
    respond: Callable[..., Any]
    client: Any


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    summary: str
    run: Callable[[CommandRequest], None]
    aliases: tuple[str, ...] = ()
    # Opens a modal with the command's trigger_id (valid ~3 s): its lazy work never queues
    # behind answers (bot/lazy.py).
    opens_modal: bool = False


@dataclass
class CommandRegistry:
    subcommands: list[Subcommand] = field(default_factory=list)

    def add(self, subcommand: Subcommand) -> None:
        names = {n for s in self.subcommands for n in _words(s)}
        clash = names & set(_words(subcommand))
        if clash:
            raise ValueError(f"subcommand name already registered: {sorted(clash)}")
        self.subcommands.append(subcommand)

    def route(self, text: str) -> tuple[Subcommand | None, str, str]:
        """The subcommand the text names, the rest of the text, and the word used."""
        # Any white space ends the word: a Japanese keyboard types U+3000 between words.
        word, rest = [*(text or "").split(maxsplit=1), "", ""][:2]
        word = keyword(word)
        for subcommand in self.subcommands:
            if word in _words(subcommand):
                return subcommand, rest.strip(), word
        return None, rest.strip(), word

    def help_entries(self) -> list[tuple[str, str, str]]:
        """(usage, summary, name) of each subcommand, in the order they were registered."""
        return [(s.usage, s.summary, s.name) for s in self.subcommands]


def _words(subcommand: Subcommand) -> tuple[str, ...]:
    """What a subcommand answers to: its name, its aliases, its words in every language."""
    return (subcommand.name, *subcommand.aliases, *aliases_of(subcommand.name))


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    registry.add(
        Subcommand(
            name="help",
            # Translators: in a usage, the command and its words are typed as they are; REF
            # (an objective's code, like AN1) stays; words like YEAR or @person are translated.
            usage=N_("/hoshin help"),
            summary=N_("Show this list of commands."),
            run=functools.partial(show_help, registry),
        )
    )
    app.command(ids.SLASH_COMMAND)(
        ack=acknowledge, lazy=[replies_errors(bind(run, services, registry))]
    )


def show_help(registry: CommandRegistry, request: CommandRequest) -> None:
    tr = requester_translator(
        request.services, request.client, team_id=request.team_id, user_id=request.user_id
    )
    request.respond(**help_message(registry.help_entries(), tr=tr).as_kwargs())


def run(services: Services, registry: CommandRegistry, respond, command, client, **_) -> None:
    """Route `/hoshin …` to its subcommand, or answer with the help."""
    text = command.get("text") or ""
    subcommand, args, word = registry.route(text)
    if subcommand is None:
        tr = requester_translator(
            services, client, team_id=command["team_id"], user_id=command["user_id"]
        )
        answer = help_message(registry.help_entries(), unknown=word or None, tr=tr)
        respond(**answer.as_kwargs())
        return
    log.info("slash command", extra={"subcommand": subcommand.name})
    subcommand.run(
        CommandRequest(
            services=services,
            team_id=command["team_id"],
            user_id=command["user_id"],
            channel_id=command.get("channel_id"),
            args=args,
            trigger_id=command.get("trigger_id"),
            respond=respond,
            client=client,
        )
    )
