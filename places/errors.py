"""The error codes of areas, their profiles and facilities (core.errors.declare)."""

from core.errors import declare

CODES = declare(
    {
        400: {
            "unknown_community": "no active community has this code",
            "unknown_area": "no area has this code",
            "area_keeps_no_profile": "only communities and streets keep a profile",
            "figure_date_required": "a figure needs the date it was true on",
            "figure_date_in_future": "a figure cannot be dated in the future",
            "figure_source_required": "a figure needs its source",
            "unknown_figure_kind": "the figure is not one of the listed kinds",
            "unknown_figure_qualifier": "the precision is not one of the listed ones",
            "invalid_figure_value": "a figure is a whole number of at least 0",
            "unknown_facility_kind": "the facility kind is not one of the listed ones",
            "facility_name_required": "a facility needs a name",
        },
        404: {"unknown_community": "no active community has this code (concern submission)"},
        409: {"facility_already_removed": "the facility was already removed"},
    }
)
