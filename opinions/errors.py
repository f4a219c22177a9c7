"""The error codes of CPPCC members' reports (core.errors.declare)."""

from core.errors import declare

CODES = declare(
    {
        400: {
            "unknown_report": "no report has this id (or it is outside the caller's scope)",
            "report_of_other_district": "both reports of a merge must be of one district",
            "reply_period_too_short": "departments get at least one day to reply",
            "issue_outside_report_area": "the issue lies outside the area reported on",
            "department_outside_district": "the department does not serve this district",
            "topic_outside_district": "the topic lies outside the report's district",
            "invalid_reply_rating": "the reply's rating is not one of the listed ones",
        },
        409: {
            "report_not_revisable": "only a report in review or returned can be revised",
            "report_not_in_review": "only a report waiting for review can be adopted, returned "
            "or merged",
            "merge_target_not_kept": "the report merged into must be one that is kept",
            "report_not_adopted": "adopt the report first",
            "already_forwarded": "the report was already forwarded to this department",
            "already_replied": "the department has already replied",
            "reply_already_rated": "the reply is already rated",
            "report_already_on_topic": "the report is already on a topic",
        },
    }
)
