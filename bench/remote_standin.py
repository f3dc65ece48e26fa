"""The Slack stand-in in a process of its own, so that the answers it receives from the app do
not compete with the benchmark's client for one interpreter (and skew what it measures).

    python -m bench.remote_standin PORT TEAM TOKEN   # serves until killed

RemoteStandIn is what SlackSender needs from it (response urls, trigger ids), over its
`/_standin/` control endpoints, plus the count of answers received.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request

from bot.standin import SlackStandIn


class RemoteStandIn:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.api_url = self.url + "/api/"

    def _control(self, name: str, data: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.url}/_standin/{name}",
            data=None if data is None else json.dumps(data).encode(),
            method="GET" if data is None else "POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def new_response_url(self, channel=None, user=None, message_ts=None) -> str:
        return self._control(
            "response_urls", {"channel": channel, "user": user, "message_ts": message_ts}
        )["response_url"]

    def new_trigger_id(self, view_id=None) -> str:
        return self._control("triggers", {"view_id": view_id})["trigger_id"]

    def reset(self) -> None:
        self._control("reset", {})

    def answers(self) -> int:
        """Posts to response urls since the last reset."""
        return self._control("stats")["stats"].get("response_url", {}).get("ok", 0)

    def wait_for_answers(self, expected: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while (count := self.answers()) < expected and time.monotonic() < deadline:
            time.sleep(0.25)
        return count


def main() -> None:
    port, team, token = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    standin = SlackStandIn(port=port, team_id=team, bot_token=token, rate_limits=False).start()
    print(standin.url, flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
