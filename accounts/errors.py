"""The error codes about people and organisations (core.errors.declare)."""

from core.errors import declare

CODES = declare(
    {
        400: {
            "unknown_person": "no account has this id",
            "unknown_organisation": "no organisation has this id",
            "organisation_out_of_scope": "the organisation does not serve the area of the matter",
        },
    }
)
