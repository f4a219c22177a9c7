"""The codes of Open311 answers (GeoReport v2 `<error><code>`), with the HTTP status they come
with. An action's refusal (a phone, a text, a repeated Idempotency-Key) keeps its own code
from core.errors or the app that refused (`invalid_phone`, `too_long`…). Not part of the
/api/v1 OpenAPI document: GeoReport has its own error format."""

from core.errors import declare

CODES = declare(
    {
        400: {
            "method_not_allowed": "this address does not take this HTTP method (see Allow)",
            "general_service_error": "the request could not be completed (the spec's 400)",
            "form_encoding_required": "the POST body is not form-encoded",
            "service_code_required": "service_code is missing",
            "unknown_service_code": "a service_code in the filter names no service",
            "invalid_datetime": "a date is not a W3C datetime with its time zone",
            "invalid_time_zone": "a datetime's offset is impossible",
            "attribute_required": "a required attribute[code] is missing",
            "attribute_one_value": "a single-valued attribute was sent twice",
            "attribute_not_in_list": "an attribute's value is not one of its listed keys",
            "attribute_not_a_number": "a number attribute is not a number",
            "invalid_coordinate": "lat or long is not a WGS84 coordinate",
            "lat_long_apart": "lat came without long, or long without lat",
            "location_required": "no lat/long, address_string or address_id was sent",
            "invalid_media_url": "media_url is not an http or https address",
            "place_not_served": "the place named is outside the api_key's areas",
            "place_not_found": "the location names no compound or community of the api_key: "
            "send address_id",
            "invalid_page": "page is not a whole number from 1",
            "invalid_page_size": "page_size is not a whole number from 1",
            "page_size_too_large": "page_size is larger than 200",
            "too_many_ids": "more than 200 service_request_id at once",
            "invalid_status": "status is not open, closed or both",
            "start_after_end": "start_date is after end_date",
            "date_range_too_long": "start_date and end_date span more than 90 days",
            "request_of_another_key": "the Idempotency-Key was used by another api_key",
        },
        403: {
            "api_key_missing": "creating requests needs an api_key",
            "invalid_api_key": "the api_key is unknown or revoked",
            "jurisdiction_not_served": "the api_key may not report in this jurisdiction",
            "forbidden": "the api_key may not do this",
        },
        404: {
            "unknown_service_code": "no service has this service_code",
            "unknown_jurisdiction": "no jurisdiction has this jurisdiction_id",
            "unknown_service_request": "no request has this service_request_id (or it is "
            "outside the api_key's areas)",
            "unknown_token": "no request has this token",
            "unknown_resource": "there is no Open311 resource at this address",
            "not_found": "not found",
        },
        429: {"rate_limited": "too many requests with this api_key: wait Retry-After seconds"},
    }
)
