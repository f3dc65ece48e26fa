"""The objectives in Slack (bot/objectives/): admins shaping them, the vision, the X-matrix checks."""
