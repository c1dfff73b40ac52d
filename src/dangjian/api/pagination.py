"""Page-number pagination for list endpoints: ?page=2&page_size=50 -> {"count", "page", "page_size", "items"}.

The handler gets the page back as plain data, so it can still act on the rows shown (for example
reveal and audit them) before the response is rendered. Slicing keeps the selector's
select_related / prefetch_related, so a page costs the same number of queries whatever its size.
"""

from django.conf import settings
from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import create_model

from dangjian.core.pagination import page_rows

MAX_PAGE_SIZE = 100


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=2**31, description="Page number, from 1.")
    page_size: int = Field(settings.PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Rows per page.")


def page_schema(item_schema: type[Schema]) -> type[Schema]:
    """The response schema of a page of `item_schema` rows (named Paged<Item> in the OpenAPI document)."""
    return create_model(
        f"Paged{item_schema.__name__}",
        __base__=Schema,
        count=(int, Field(..., description="Rows matching the filters, on all pages.")),
        page=(int, ...),
        page_size=(int, ...),
        items=(list[item_schema], ...),
    )


def paginate(queryset: QuerySet, params: PageQuery) -> dict:
    """One page of `queryset` (two queries plus the selector's prefetches). A page past the end is empty."""
    offset = (params.page - 1) * params.page_size
    return {
        "count": queryset.count(),
        "page": params.page,
        "page_size": params.page_size,
        "items": list(page_rows(queryset, offset, params.page_size)),
    }
