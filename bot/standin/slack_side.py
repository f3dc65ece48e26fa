"""A person's side of Slack for the demo and the end-to-end tests: type, click, read DMs.

Built on the signed-request sender and the stand-in: what a person "sees" is what reached the
stand-in, and what they "do" is a request signed exactly as Slack would sign it.
"""

from __future__ import annotations

from typing import Any

from bot.standin import SlackStandIn, StoredMessage
from bot.standin.inbound import Delivery, SlackSender


class SlackSide:
    def __init__(
        self, sender: SlackSender, standin: SlackStandIn, *, timeout: float = 10.0
    ) -> None:
        self.sender = sender
        self.standin = standin
        self.timeout = timeout

    def modals(self, callback_id: str) -> list[dict]:
        """Every modal the bot opened with this callback id, as sent, with its view id."""
        return [
            {**c.args["view"], "id": c.response["view"]["id"]}
            for c in self.standin.calls_to("views.open") + self.standin.calls_to("views.push")
            if c.ok and c.args["view"].get("callback_id") == callback_id
        ]

    def next_modal(self, callback_id: str, before: int) -> dict:
        opened = self.standin.wait_for(
            lambda s: len(self.modals(callback_id)) > before, self.timeout
        )
        if not opened:
            methods = [c.method for c in self.standin.calls]
            raise AssertionError(f"no new {callback_id} modal; calls: {methods}")
        return self.modals(callback_id)[-1]

    def command_modal(self, user: str, text: str, callback_id: str, **kwargs: Any) -> dict:
        """Type `/hoshin text` and return the modal it opens."""
        before = len(self.modals(callback_id))
        delivery = self.sender.slash_command(user_id=user, text=text, **kwargs)
        if delivery.status != 200:
            raise AssertionError(f"HTTP {delivery.status}: {delivery.body[:200]}")
        return self.next_modal(callback_id, before)

    def submit(self, user: str, view: dict, values: dict[str, Any]) -> Delivery:
        delivery = self.sender.submit_view(user_id=user, view=view, values=values)
        if delivery.status != 200:
            raise AssertionError(f"HTTP {delivery.status}: {delivery.body[:200]}")
        return delivery

    def dms(self, user: str) -> list[StoredMessage]:
        return self.standin.messages(user)

    def wait_dm_with(self, user: str, words: str) -> StoredMessage:
        """The latest DM to `user` whose text has `words`, once it arrives."""

        def find(_: Any) -> list[StoredMessage]:
            return [m for m in self.dms(user) if words in m.text]

        if not self.standin.wait_for(find, self.timeout):
            raise AssertionError(
                f"no DM to {user} with {words!r}: {[m.text for m in self.dms(user)]}"
            )
        return find(None)[-1]

    @staticmethod
    def buttons(message: StoredMessage) -> dict[str, dict]:
        return {
            e["action_id"]: e
            for b in message.blocks or []
            if b["type"] == "actions"
            for e in b["elements"]
        }

    def click(self, user: str, message: StoredMessage, action_id: str) -> Delivery:
        """Press a button on a message as `user`."""
        button = self.buttons(message)[action_id]
        delivery = self.sender.block_action(
            user_id=user,
            action_id=action_id,
            value=button.get("value"),
            channel_id=message.channel,
            message_ts=message.ts,
        )
        if delivery.status != 200:
            raise AssertionError(f"HTTP {delivery.status}: {delivery.body[:200]}")
        return delivery

    def click_modal(
        self, user: str, message: StoredMessage, action_id: str, callback_id: str
    ) -> dict:
        """Press a button that opens a modal; return the modal."""
        before = len(self.modals(callback_id))
        self.click(user, message, action_id)
        return self.next_modal(callback_id, before)

    def choose(self, user: str, message: StoredMessage, action_id: str, option: str) -> Delivery:
        """Pick an option (by its label, like "Partly", or its value) of a static select in a
        message's section, as `user`."""
        selects = [
            b["accessory"]
            for b in message.blocks or []
            if (b.get("accessory") or {}).get("action_id") == action_id
        ]
        chosen = next(
            o for s in selects for o in s["options"] if option in (o["value"], o["text"]["text"])
        )
        delivery = self.sender.block_action(
            user_id=user,
            action_id=action_id,
            selected_option=chosen,
            channel_id=message.channel,
            message_ts=message.ts,
        )
        if delivery.status != 200:
            raise AssertionError(f"HTTP {delivery.status}: {delivery.body[:200]}")
        return delivery
