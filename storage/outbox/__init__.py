"""The outbox: Slack posts written as rows first, then claimed, sent and settled by delivery.

Three modules, one job each, imported by name (nothing is re-exported here):
- `storage.outbox.queue`: rows in (`enqueue`, `enqueue_many`) and what waits (`due`, counts);
- `storage.outbox.claims`: a deliverer's claim of a row and how the call settles it;
- `storage.outbox.stops`: rows held or failed, released or retried, and what Slack's refusals
  say about the workspace and its people.
"""
