"""Pagination for API lists: a page of ``items`` with the ``count`` of all matching rows, so a
client always knows whether it has the whole list (lists used to stop at 500–5,000 rows without
saying so).

    @router.get("/pledges", response=list[PledgeOut])
    @paged(1000)
    def list_pledges(request, ...):
        return rows(queryset, PledgeOut.of)      # or the queryset itself

``?limit=&offset=`` choose the page: ``limit`` defaults to the endpoint's page size (the old cut-off,
so a client reading ``items`` sees the same first rows) and may not exceed it; the answer is
``{"items": [...], "count": total, "limit": L, "offset": O}``. Built on django-ninja's
``LimitOffsetPagination``; ``rows`` maps only the rows of the page (the API's ``Out.of`` builders).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, get_type_hints

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from .api_types import MAX_COUNT


@dataclass(frozen=True)
class Rows:
    """A queryset (or list) and the function that turns one of its rows into the API's item."""

    source: Any
    build: Callable[[Any], Any]


def rows(source, build: Callable[[Any], Any]) -> Rows:
    return Rows(source, build)


class Page(LimitOffsetPagination):
    class Output(Schema):
        items: list[Any]
        count: int = Field(..., description="符合条件的总条数（全部，不止本页）")
        limit: int = Field(..., description="本页至多条数")
        offset: int = Field(..., description="本页第一条在全部结果中的位置（从 0 起）")

    def paginate_queryset(self, queryset, pagination, request, **params):
        limit, offset = min(pagination.limit, self.max_limit), pagination.offset
        source, build = (queryset.source, queryset.build) if isinstance(queryset, Rows) else (queryset, None)
        if isinstance(source, QuerySet) and not source.ordered:  # pages of an unordered query may overlap
            source = source.order_by("pk")
        page = list(source[offset:offset + limit])
        return {"items": [build(r) for r in page] if build else page, "count": self._items_count(source), "limit": limit,
                "offset": offset}


@cache
def _page_class(size: int, default: int) -> type[Page]:
    limit = Field(default, ge=1, le=size, description=f"每页条数（1–{size}，默认 {default}）")
    offset = Field(0, ge=0, le=MAX_COUNT, description="跳过的条数（从 0 起）")
    page_input = type(f"PageIn{size}_{default}", (Schema,), {"__annotations__": {"limit": int, "offset": int}, "limit": limit, "offset": offset,
                                                   "__module__": __name__})
    return type(f"Page{size}_{default}", (Page,), {"Input": page_input, "__module__": __name__})


def paged(size: int, default: int | None = None):
    """Paginate a list endpoint with pages of at most ``size`` items (``default`` when not asked)."""
    paginator = paginate(_page_class(size, default or size), max_limit=size)

    def decorate(view):
        # ninja reads the parameters through the wrapper, whose module is ninja's: resolve the
        # view's string annotations (``from __future__ import annotations``) in its own module first
        view.__annotations__ = get_type_hints(view, include_extras=True)
        return paginator(view)

    return decorate
