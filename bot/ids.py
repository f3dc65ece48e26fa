"""Every action, block and callback id, used by the builders and the handlers alike."""

SLASH_COMMAND = "/hoshin"

# /hoshin status
ACTION_STATUS_SHARE = "status_share"
ACTION_STATUS_DRILL = "status_drill"
BLOCK_STATUS_ACTIONS = "status_actions"
