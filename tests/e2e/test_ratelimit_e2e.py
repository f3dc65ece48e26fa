"""429 with Retry-After on the Web API methods the app calls while answering people.

The outbox's own methods (chat.postMessage, chat.update, conversations.history/replies) are
covered in tests/delivery. Here: views.open, views.publish, users.info and a catchball DM, which
the handler has delivered right after its commit. Each is refused once with Retry-After, waited
out, and done exactly once.
"""

from __future__ import annotations

from sqlmodel import Session, select

from bot import ids
from storage.models import ActionItem
from tests.e2e.seed import small_plan
from tests.e2e.test_catchball_e2e import NORDICS


def setup(slack) -> None:
    small_plan(slack.engine)
    for user, name in (("U0CEO", "Dana"), ("U0VP", "Ana"), ("U0MGR", "Mo"), ("U0LEE", "Lee")):
        slack.standin.add_user(user, name=name.lower(), real_name=name)


def waited_out(slack, method: str, count: int = 1) -> None:
    """The method was refused once with a 429, then called again no sooner than Retry-After."""
    assert slack.standin.wait_for(
        lambda s: len([c for c in s.calls_to(method) if c.ok]) >= count, timeout=15
    ), [(c.status, c.error) for c in slack.standin.calls_to(method)]
    calls = slack.standin.calls_to(method)
    refused = [c for c in calls if c.status == 429]
    assert len(refused) == 1
    after = [c for c in calls if c.at > refused[0].at]
    assert after and after[0].at - refused[0].at >= refused[0].retry_after * 0.95
    assert len([c for c in calls if c.ok]) == count  # done once, not once per try


def test_views_open_waits_out_a_429(slack):
    setup(slack)
    slack.standin.inject("views.open", status=429, retry_after=1, times=1)
    view = slack.ui.command_modal("U0VP", "action AN1 Call churned customers", ids.VIEW_ACTION)
    assert view["callback_id"] == ids.VIEW_ACTION
    waited_out(slack, "views.open")


def test_views_publish_waits_out_a_429(slack):
    setup(slack)
    slack.standin.inject("views.publish", status=429, retry_after=1, times=1)
    delivery = slack.sender.event({"type": "app_home_opened", "user": "U0CEO", "tab": "home"})
    assert delivery.status == 200
    waited_out(slack, "views.publish")
    assert "U0CEO" in slack.standin.home_views


def test_users_info_waits_out_a_429_and_the_action_is_stored_once(slack):
    setup(slack)
    view = slack.ui.command_modal("U0VP", "action AN1 Call churned customers", ids.VIEW_ACTION)
    slack.standin.inject("users.info", status=429, retry_after=1, times=1)
    values = {ids.FIELD_TITLE: "Call churned customers", ids.FIELD_OWNER: "U0LEE"}
    values[ids.FIELD_DUE] = "2027-09-30"
    assert slack.submit("U0VP", view, values).json() is None
    waited_out(slack, "users.info")
    with Session(slack.engine) as session:
        added = session.exec(
            select(ActionItem).where(ActionItem.title == "Call churned customers")
        ).all()
    assert len(added) == 1


def test_a_dm_from_a_handler_waits_out_a_429_and_is_sent_once(slack):
    setup(slack)
    view = slack.ui.command_modal("U0VP", "propose AN1", ids.VIEW_PROPOSE)
    slack.standin.inject("chat.postMessage", status=429, retry_after=1, times=1)
    assert slack.submit("U0VP", view, NORDICS).json() is None
    slack.ui.wait_dm_with("U0MGR", "Open the Nordic market")
    assert slack.standin.wait_for(lambda s: len(s.messages("U0VP")) >= 1, timeout=10)
    refused = [c for c in slack.standin.calls_to("chat.postMessage") if c.status == 429]
    assert len(refused) == 1
    asks = [m for m in slack.standin.messages("U0MGR") if "Open the Nordic market" in m.text]
    assert len(asks) == 1


def test_a_dm_that_may_have_been_posted_is_not_sent_again_by_the_handler(slack):
    """internal_error with HTTP 500 after Slack posted the message: no blind resend."""
    setup(slack)
    view = slack.ui.command_modal("U0VP", "propose AN1", ids.VIEW_PROPOSE)
    slack.standin.inject("chat.postMessage", status=500, error="internal_error", apply=True)
    assert slack.submit("U0VP", view, NORDICS).json() is None
    slack.ui.wait_dm_with("U0MGR", "Open the Nordic market")
    assert slack.standin.wait_for(lambda s: len(s.messages("U0VP")) >= 1, timeout=10)
    asks = [m for m in slack.standin.messages("U0MGR") if "Open the Nordic market" in m.text]
    assert len(asks) == 1, [m.text for m in asks]


def test_a_server_error_on_views_open_is_retried(slack):
    """Opening a modal twice cannot duplicate anything: a 503 is simply tried again."""
    setup(slack)
    slack.standin.inject("views.open", status=503, times=1)
    view = slack.ui.command_modal("U0VP", "action AN1 Call churned customers", ids.VIEW_ACTION)
    assert view["callback_id"] == ids.VIEW_ACTION
    assert [c.status for c in slack.standin.calls_to("views.open")] == [503, 200]


def test_a_handler_dm_whose_connection_dropped_is_not_sent_again(slack):
    """Slack carries the post out and the connection drops before the answer: no resend."""
    setup(slack)
    view = slack.ui.command_modal("U0VP", "propose AN1", ids.VIEW_PROPOSE)
    slack.standin.inject("chat.postMessage", drop=True, apply=True, times=1)
    assert slack.submit("U0VP", view, NORDICS).json() is None
    slack.ui.wait_dm_with("U0MGR", "Open the Nordic market")
    assert slack.standin.wait_for(lambda s: len(s.messages("U0VP")) >= 1, timeout=10)
    asks = [m for m in slack.standin.messages("U0MGR") if "Open the Nordic market" in m.text]
    assert len(asks) == 1, [m.text for m in asks]
