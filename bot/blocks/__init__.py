"""Block Kit builders: pure functions of domain objects, built with slack_sdk's typed models."""
