"""The error codes of dashboards, ledgers and imports (core.errors.declare)."""

from core.errors import declare

CODES = declare(
    {
        400: {
            "invalid_date": "a date is not written YYYY-MM-DD",
            "start_after_end": "the period's start is after its end",
            "range_too_long": "the period is longer than five years",
        },
    }
)
