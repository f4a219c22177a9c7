"""The error codes of the WeChat official account (core.errors.declare)."""

from core.errors import declare

CODES = declare(
    {
        400: {
            "no_concern": "a photo or place came before any concern was written",
            "invalid_place": "the location message could not be read",
        },
    }
)
