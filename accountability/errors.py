"""The error codes of action items and ratings (core.errors.declare)."""

from core.errors import declare

CODES = declare(
    {
        400: {
            "item_deadline_before_listing": "the deadline is before the listing date",
            "owner_not_of_organisation": "the person in charge does not represent the owner "
            "organisation",
            "milestone_not_open": "the milestone is not an open milestone of this item",
            "milestone_out_of_range": "a milestone falls outside listing date … deadline",
            "issue_outside_community": "an issue belongs to another community than the item's",
            "resolution_outside_community": "the resolution was made for another area",
            "item_without_source": "neither a resolution nor an issue was given",
            "invalid_rating": "the rating is not satisfied, basically_satisfied or dissatisfied",
            "invalid_reopen_share": "the reopen threshold is not between 0 and 99 per cent",
            "wrong_code": "the tracking code is not one of a concern behind this item or matter",
        },
        403: {
            "staff_cannot_rate": "a signed-in staff member tried to rate: ratings come from "
            "residents with their tracking code",
        },
        409: {
            "item_not_in_progress": "the item is not being carried out (progress, done)",
            "item_not_awaiting_verification": "the item is not reported done and unverified",
            "item_already_closed": "the item is already closed",
            "item_not_done": "the item is not reported done (close, rate)",
            "item_not_verified": "the work must be verified before the item is closed",
            "item_mostly_dissatisfied": "most raters are dissatisfied: reopen instead of closing",
            "item_not_reopenable": "only a done or closed item can be reopened",
            "not_settled": "the matter is not settled yet, so it cannot be rated",
            "already_rated": "this tracking code has already rated the item or matter",
        },
    }
)
