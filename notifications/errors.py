"""The error codes of following a community by phone (core.errors.declare)."""

from core.errors import declare

CODES = declare(
    {
        400: {
            "follow_code_expired": "the code confirming a phone has expired; ask for a new one",
            "follow_code_wrong": "the code confirming a phone is not the one sent",
        },
    }
)
