"""Every action, block and callback id, used by the builders and the handlers alike."""

SLASH_COMMAND = "/hoshin"

# /hoshin status
ACTION_STATUS_SHARE = "status_share"
ACTION_STATUS_DRILL = "status_drill"
BLOCK_STATUS_ACTIONS = "status_actions"

# Modal input blocks: one block id per field, so inline errors land on the right field.
# The action id inside each input block is always FIELD_ACTION.
FIELD_ACTION = "value"
FIELD_TITLE = "title"
FIELD_DESCRIPTION = "description"
FIELD_OWNER = "owner"
FIELD_PARENT = "parent"
FIELD_YEAR = "year"
FIELD_YEARS = "years"
FIELD_METRIC_NAME = "metric_name"
FIELD_METRIC_UNIT = "metric_unit"
FIELD_BASELINE = "baseline"
FIELD_TARGET = "target"
FIELD_DIRECTION = "direction"
FIELD_MONTHLY_PLAN = "monthly_plan"
FIELD_DUE = "due"
FIELD_REASON = "reason"
FIELD_VISION = "vision"
FIELD_VALUES = "values"

# App Home
ACTION_HOME_EDIT_VISION = "home_edit_vision"
ACTION_HOME_NEW_BREAKTHROUGH = "home_new_breakthrough"
ACTION_HOME_NEW_ANNUAL = "home_new_annual"
ACTION_HOME_EDIT_OBJECTIVE = "home_edit_objective"
ACTION_HOME_PROPOSE = "home_propose"
ACTION_HOME_ADD_ACTION = "home_add_action"

# Vision and objectives (admins)
VIEW_VISION = "vision_modal"
VIEW_OBJECTIVE = "objective_modal"
ACTION_OBJECTIVE_ARCHIVE = "objective_archive"
BLOCK_VISION_ACTIONS = "vision_actions"
BLOCK_OBJECTIVE_ARCHIVE = "objective_archive_actions"

# Catchball
VIEW_PROPOSE = "catchball_propose_modal"
VIEW_COUNTER = "catchball_counter_modal"
VIEW_DECISION_REASON = "catchball_reason_modal"
ACTION_CATCHBALL_APPROVE = "catchball_approve"
ACTION_CATCHBALL_REQUEST_CHANGES = "catchball_request_changes"
ACTION_CATCHBALL_REJECT = "catchball_reject"
ACTION_CATCHBALL_ACCEPT = "catchball_accept"
ACTION_CATCHBALL_COUNTER = "catchball_counter"
ACTION_CATCHBALL_REVISE = "catchball_revise"
BLOCK_CATCHBALL_ACTIONS = "catchball_actions"
FIELD_NOTE = "note"  # the proposer's optional note to the approver, in the propose modal

# Action plans
VIEW_ACTION = "action_modal"
ACTION_ACTION_DONE = "action_done"
ACTION_ACTION_BLOCKED = "action_blocked"
ACTION_ACTION_REOPEN = "action_reopen"
BLOCK_ACTION_BUTTONS = "action_buttons"

# Monthly check-in (issue 4)
ACTION_CHECKIN_OPEN = "checkin_open"  # a "Check in" button on the prompt DM, per objective
VIEW_CHECKIN = "checkin_modal"
FIELD_ACTUAL = "actual"
FIELD_STATUS = "status"
FIELD_WHAT_HAPPENED = "what_happened"
FIELD_CHALLENGES = "challenges"
FIELD_COUNTERMEASURE = "countermeasure"
ACTION_REVIEW_RETRY = "review_retry"  # an admin's "Try again" on a review channel that was held
BLOCK_REVIEW_ACTIONS = "review_actions"

# Countermeasure A3, after two off-track months (issue 4)
ACTION_A3_OPEN = "a3_open"  # "Write the A3" on the owner's DM
VIEW_A3 = "a3_modal"
FIELD_PROBLEM = "problem"
FIELD_ROOT_CAUSE = "root_cause"
FIELD_A3_OWNER = "a3_owner"
ACTION_A3_WORKED = "a3_worked"  # next month's prompt: did the countermeasure work? (a select)
BLOCK_A3_ACTIONS = "a3_actions"

# Hansei: the owners' year-end reflection (issue 5)
ACTION_HANSEI_OPEN = "hansei_open"  # a "Reflect" button on the hansei DM, per objective
VIEW_HANSEI = "hansei_modal"
FIELD_WENT_WELL = "went_well"
FIELD_WENT_BADLY = "went_badly"
FIELD_ROOT_CAUSES = "root_causes"
FIELD_LEARNED = "learned"
FIELD_CARRY_OVER = "carry_over"

# The annual reflection (issue 5)
ACTION_REFLECTION_CARRYOVER = "reflection_carryover"  # admins: start next year from carry-overs
ACTION_REFLECTION_RETRY = "reflection_retry"  # admins: post a held reflection again
BLOCK_REFLECTION_ACTIONS = "reflection_actions"
