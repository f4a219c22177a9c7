"""The error codes of concerns, issues, tracking codes and contact cards (core.errors.declare)."""

from core.errors import declare

CODES = declare(
    {
        400: {
            "invalid_channel": "the channel is not one of the listed ones",
            "invalid_urgency": "the urgency is not one of the listed ones",
            "invalid_building": "the building is not in the compound given",
            "place_outside": "the compound or building is not in the community chosen",
            "future": "the time received is in the future",
            "unknown_category": "no active category has this code",
            "unknown_building": "no building has this id",
            "unknown_compound": "no compound has this id",
            "unknown_issue": "no issue has this id (or it is outside the caller's scope)",
            "unknown_concern": "the concern is not one of this issue's",
            "unknown_photo": "the photo is not one of this issue's",
            "issue_required": "no issue was chosen",
            "invalid_wechat_link": "the WeChat link is not an official account's QR address",
            "public_title_has_personal_data": "the public title names a phone, ID or room number",
            "issue_of_other_community": "the other issue belongs to another community",
            "merge_into_itself": "an issue cannot be merged into itself",
            "split_concerns_required": "no concerns were chosen to split off",
            "split_leaves_issue_empty": "a split must leave at least one concern in the issue",
            "invalid_escalation_target": "escalate to the subdistrict or to a department",
            "department_required": "escalating to a department needs the department",
            "escalation_not_department": "an issue goes on to a department, not this organisation",
        },
        403: {"staff_channel": "only staff may register concerns from this channel"},
        404: {"unknown_code": "no concern has this tracking code"},
        409: {
            "tracking_code_unavailable": "no free tracking code was found: send again",
            "concern_already_in_issue": "the concern is already part of that issue",
            "issue_closed": "the issue is closed",
            "issue_merged": "the issue was merged into another",
            "issue_not_open": "only an open issue can be split",
            "issue_already_accepted": "the issue has already been accepted",
            "issue_not_being_handled": "the issue is not being handled at this level",
            "issue_not_in_grid": "only an issue handled in the grid can go to the community",
            "issue_not_with_community": "only an issue handled by the community can be sent on",
            "issue_already_in_grid": "the issue is already handled in the grid",
            "issue_without_grid": "the issue has no grid to hand it back to",
        },
        422: {
            "idempotency_key_reused": "the Idempotency-Key was used before with another body",
        },
    }
)
