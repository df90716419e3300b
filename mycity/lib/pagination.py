"""One paginator for lists that may hold a million rows: the public lists, the REST API, the admin.

Django's Paginator runs COUNT(*) over the whole filtered list on every page
and OFFSETs over whole rows. At a million appeals the count alone is half a
second, and page 5,000 reads 100,000 full rows to throw them away. This one:

- counts exactly up to CAP rows (a COUNT over a LIMITed subquery: one query,
  cheap for an indexed list at any size) and, past CAP on PostgreSQL, takes
  the planner's estimate (EXPLAIN, a millisecond; the table's `reltuples`
  when the list is the whole table). A list that is costly to count even to
  CAP (a fuzzy word search) is built with `estimate_first`: the planner is
  asked first, and an estimate of 100,000 rows or more is taken without
  counting. `is_estimate` says which, so a page says "about 809,000" rather
  than a wrong exact number; a short page, the real last one, turns the
  estimate into the exact count;
- reads a deep page in two steps: the keys of the rows up to the page (an
  index-only scan in list order, without the rows' annotations), then the
  page's own rows by key, so a per-row subquery runs for the page's rows only;
- reads a list ordered by a value worked out per row (a distance) from the
  smallest of its `narrowings` that holds the page: the rows within 250 m
  rather than the 50 km asked, so the value is worked out and sorted for a
  few hundred rows rather than for the whole city.

An estimated last page may end early or leave rows after it; a page past the
real end is empty rather than an error, which is what a visitor who follows
"next" from an estimate should see.
"""

import json
from functools import cached_property

from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connections
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


def estimated_count(queryset) -> int | None:
    """PostgreSQL's estimate of the rows in `queryset`, or None elsewhere."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    if queryset.query.is_empty():  # .none(), or a filter no row can match: nothing to ask
        return 0
    if not queryset.query.where:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [queryset.model._meta.db_table],
            )
            row = cursor.fetchone()
        if row and row[0] >= 0:  # -1: never analysed
            return int(row[0])
    plan = queryset.order_by().values("pk").explain(format="json")
    if not plan:  # a WHERE that Django found impossible when compiling it (pk__in=[])
        return 0
    return int(json.loads(plan)[0]["Plan"]["Plan Rows"])


# From this offset on, a slice is read in two steps (see read_slice()).
DEEP_OFFSET = 1_000


def read_slice(queryset, bottom: int, top: int, *, deep_offset: int | None = None):
    """queryset[bottom:top], read by key when deep (see the module's docstring).

    For lists paged without a Paginator (Open311's `page`/`page_size`).
    """
    if bottom < (DEEP_OFFSET if deep_offset is None else deep_offset):
        return queryset[bottom:top]
    keys = list(queryset.values_list("pk", flat=True)[bottom:top])
    # The list's own order over its page's keys only (a model or a values() list alike).
    return list(queryset.filter(pk__in=keys))


class EstimatedCountPaginator(Paginator):
    """A Paginator that never counts more than CAP rows and reads deep pages by key."""

    CAP = 10_000
    # An estimate this large is taken without counting; below it, CAP rows are counted.
    TRUSTED_ESTIMATE = 100_000
    DEEP_OFFSET = DEEP_OFFSET

    def __init__(
        self,
        *args,
        max_pages: int | None = None,
        estimate_first: bool = False,
        cap: int | None = None,
        deep_offset: int | None = None,
        narrowings=(),
        **kwargs,
    ):
        """`max_pages`: no page past it (a costly list, such as a fuzzy search, is cut there).

        `estimate_first`: ask the planner before counting (see the module's docstring); it
        costs a query more on a short list, and spares a second on a costly long one.
        `cap`: count exactly up to this many rows rather than CAP (a fuzzy search, whose
        every counted row costs a similarity test).
        `deep_offset`: read by key from this offset rather than DEEP_OFFSET; 0 for a
        list ordered by something worked out per row (a distance), whose keys an
        index can give without reading the rows.
        `narrowings`: parts of the list, smallest first, each holding the list's first
        rows in its order (the rows within a smaller circle, for a list ordered by
        distance). A page is read from the first that holds every row up to it.
        """
        super().__init__(*args, **kwargs)
        self.max_pages = max_pages
        self.estimate_first = estimate_first
        self.cap = cap or self.CAP
        self.deep_offset = self.DEEP_OFFSET if deep_offset is None else deep_offset
        self.narrowings = narrowings

    @cached_property
    def num_pages(self) -> int:
        pages = Paginator.num_pages.func(self)
        return min(pages, self.max_pages) if self.max_pages else pages

    @property
    def is_cut(self) -> bool:
        """Whether the list goes on past `max_pages`."""
        return bool(self.max_pages) and Paginator.num_pages.func(self) > self.max_pages

    @cached_property
    def is_estimate(self) -> bool:
        self.count  # noqa: B018 (sets _estimated)
        return self._estimated

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        self._estimated = False
        estimate = None
        if self.estimate_first:
            # EXPLAIN costs a millisecond, while counting even CAP rows of a costly
            # filter (a fuzzy word search) can take a second.
            estimate = estimated_count(queryset)
            if estimate is not None and estimate >= self.TRUSTED_ESTIMATE:
                return self._estimate(estimate)
        # Only the keys: the list's annotations (a photo count...) are not computed to count.
        exact = queryset.order_by().values("pk")[: self.cap + 1].count()
        if exact <= self.cap:
            return exact
        if estimate is None:
            estimate = estimated_count(queryset)
        if estimate is None:  # not PostgreSQL: no planner to ask
            return queryset.count()
        return self._estimate(estimate)

    def _estimate(self, estimate: int) -> int:
        self._estimated = True
        # Rounded: "about 809,000", not a precise-looking 808,713 (hundreds below ten
        # thousand); and the planner may guess low, while the list has more than the cap.
        return max(round(estimate, -3 if estimate >= 10_000 else -2), self.cap + 1)

    def validate_number(self, number):
        try:
            number = super().validate_number(number)
        except EmptyPage:
            # Past an estimated end, but within twice of it: an empty page, not the last one.
            if not (self.is_estimate and 1 < int(number) <= 2 * self.num_pages):
                raise
            number = int(number)
        if self.max_pages and number > self.max_pages:
            raise EmptyPage(f"Pages stop at {self.max_pages}.")
        return number

    def page(self, number):
        """A deep page reads the skipped rows' keys only, then its own rows.

        Shallow pages are one query, as Django's paginator does.
        """
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        source = self._narrowest(top)
        rows = list(read_slice(source, bottom, top, deep_offset=self.deep_offset))
        if self.is_estimate and 0 < len(rows) < self.per_page:
            # A short page is the last one: the count is now known, whatever the estimate.
            self.__dict__.update(count=bottom + len(rows), is_estimate=False)
            self.__dict__.pop("num_pages", None)
            self.__dict__.pop("page_range", None)
        return self._get_page(rows, number, self)

    def _narrowest(self, top: int):
        """The smallest narrowing that holds the rows up to `top`, else the whole list.

        A narrowing holds the list's first rows in order, so when it has `top` of them
        (or every row of the list) its slice is the list's. Asking costs a count that
        stops at `top`, within the narrowing's own small part of the index.
        """
        if self.narrowings:
            needed = top if self.is_estimate else min(top, self.count)
            for narrowing in self.narrowings:
                if narrowing.order_by().values("pk")[:needed].count() >= needed:
                    return narrowing
        return self.object_list

    def _get_page(self, *args, **kwargs):
        return EstimatedPage(*args, **kwargs)


class EstimatedPage(Page):
    def has_next(self):
        if self.paginator.max_pages and self.number >= self.paginator.max_pages:
            return False
        # From an estimate, a short page is the real last one and a full one may have more.
        if self.paginator.is_estimate:
            return len(self) == self.paginator.per_page
        return super().has_next()


class EstimatedCountPagination(PageNumberPagination):
    """The REST API's pages: `count` is exact up to 10,000, then PostgreSQL's estimate.

    `count_is_estimate` says which; past an estimate, `next` is given while a full page came back.
    """

    # A list filtered by these (a word search) asks the planner before counting.
    estimate_first_params = ("q",)
    # A list ordered by these (the distance from `near`) is read by key on every page.
    by_key_params = ("near",)

    def paginate_queryset(self, queryset, request, view=None):
        self.estimate_first = any(request.query_params.get(p) for p in self.estimate_first_params)
        self.by_key = any(request.query_params.get(p) for p in self.by_key_params)
        # A view may offer smaller parts of a list ordered by distance (see the paginator).
        narrow = getattr(view, "get_narrowings", None)
        self.narrowings = narrow(queryset) if self.by_key and narrow else ()
        return super().paginate_queryset(queryset, request, view)

    def get_page_number(self, request, paginator):
        # DRF reads an empty `page=` as the first page; the schema says an integer,
        # so it is an invalid page (404) like any other that is not a number.
        if request.query_params.get(self.page_query_param) == "":
            return ""
        return super().get_page_number(request, paginator)

    def django_paginator_class(self, queryset, page_size):
        """Called by PageNumberPagination in place of a paginator class."""
        return EstimatedCountPaginator(
            queryset,
            page_size,
            estimate_first=self.estimate_first,
            deep_offset=0 if self.by_key else None,
            narrowings=self.narrowings,
        )

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_is_estimate"] = self.page.paginator.is_estimate
        return Response(response.data)

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_is_estimate"] = {
            "type": "boolean",
            "description": "Whether `count` is PostgreSQL's estimate (past 10,000 rows).",
        }
        schema["required"] = [*schema.get("required", ["count", "results"]), "count_is_estimate"]
        return schema
