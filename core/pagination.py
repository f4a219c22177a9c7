"""The one pagination of the JSON API: ?page= and ?page_size=, answering {"items", "count"}.

Both numbers are bounded, so a fuzzed or mistyped page never reaches SQL as an out-of-range
integer; a page_size over the limit is a clear 422 rather than a silent cut."""

from django.conf import settings
from ninja import Field
from ninja.pagination import PageNumberPagination

MAX_PAGE = 1_000_000


class PageInput(PageNumberPagination.Input):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="page number, from 1")
    page_size: int | None = Field(
        None,
        ge=1,
        le=settings.NINJA_MAX_PER_PAGE_SIZE,
        description=f"items per page (default {settings.NINJA_PAGINATION_PER_PAGE}, "
        f"at most {settings.NINJA_MAX_PER_PAGE_SIZE})",
    )


class Pagination(PageNumberPagination):
    # Named for the OpenAPI document, where a bare "Input" says nothing.
    Input = PageInput
