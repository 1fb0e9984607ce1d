"""Cursor pagination for every API list, on a unique ordering, without COUNT(*).

A view names its allowed orderings in ``ordering_choices``, a mapping from
the public value of the ``ordering`` query parameter to the model fields it
sorts by, the last of which is unique (``pk``)::

    ordering_choices = {"-id": ("-pk",), "-year": ("-year", "-pk")}
    default_ordering = "-id"

A cursor contains the ordering and the sort values of the row next to it,
and a page is fetched with a WHERE on those values and a LIMIT (keyset
pagination). So a page a million rows in costs what the first page costs,
where OFFSET would read and skip every row before it. NULLs sort where the
database puts them by default (after every value on PostgreSQL, before
every value on SQLite), so that an index on the column serves the ordering.
"""

import base64
import binascii
import datetime
import json
import re
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections
from django.db.models import F, Q, prefetch_related_objects
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 200
# ASCII digits only: str.isdigit() also accepts "²", which int() rejects,
# and int() rejects numbers of more than 4300 digits.
PAGE_SIZE_PATTERN = re.compile(r"[0-9]{1,9}")

# A condition that no row meets; Django leaves it out of an OR.
NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class SortKey:
    """One column of an ordering: a model field, its direction and nullability.

    The methods' ``nulls_largest`` argument is where the database sorts NULL
    by default (Django's ``features.nulls_order_largest``).
    """

    field: str
    descending: bool
    nullable: bool

    def order_by(self, *, reverse: bool = False):
        """Return the ORDER BY expression, NULLs placed as the database does."""
        expression = F(self.field)
        return expression.desc() if self.descending != reverse else expression.asc()

    def nulls_after_values(self, *, reverse: bool, nulls_largest: bool) -> bool:
        """Tell whether NULLs come after every value in this direction."""
        return self.nullable and (self.descending != reverse) != nulls_largest

    def after(
        self, value, *, reverse: bool, nulls_largest: bool, with_nulls: bool = True
    ) -> Q:
        """Return the condition for rows that sort strictly after ``value``.

        ``with_nulls=False`` leaves out the NULL rows that follow a value.
        """
        descending = self.descending != reverse
        nulls_after = self.nulls_after_values(
            reverse=reverse, nulls_largest=nulls_largest
        )
        if value is None:
            if nulls_after or not self.nullable:
                return NOTHING
            return Q(**{f"{self.field}__isnull": False})
        condition = Q(**{f"{self.field}__{'lt' if descending else 'gt'}": value})
        if nulls_after and with_nulls:
            condition |= Q(**{f"{self.field}__isnull": True})
        return condition

    def bound(
        self, value, *, reverse: bool, nulls_largest: bool, with_nulls: bool = True
    ) -> Q | None:
        """Return a range on this column that every later row is in, if one exists.

        The range lets the database read from an index on the column. No
        range exists when the NULL rows that follow the value are included.
        """
        nulls_after = self.nulls_after_values(
            reverse=reverse, nulls_largest=nulls_largest
        )
        if value is None or (nulls_after and with_nulls):
            return None
        lookup = "lte" if self.descending != reverse else "gte"
        return Q(**{f"{self.field}__{lookup}": value})

    def equal(self, value) -> Q:
        if value is None:
            return Q(**{f"{self.field}__isnull": True})
        return Q(**{self.field: value})


@dataclass(frozen=True)
class Cursor:
    """A position in a list: the ordering, the direction and a row's sort values."""

    ordering: str
    values: tuple
    backwards: bool = False


def sort_field(model, name: str, annotations=None):
    """Return the field that ``name`` sorts by: ``pk``, an annotation or a field.

    ``annotations`` is a queryset's ``query.annotations``; an annotation
    sorts by its output field.
    """
    if name == "pk":
        return model._meta.pk
    if annotations and name in annotations:
        return annotations[name].output_field
    return model._meta.get_field(name)


def sort_keys(model, fields: tuple[str, ...], annotations=None) -> tuple[SortKey, ...]:
    """Build the sort keys for ``fields`` (``-`` for descending) of ``model``.

    A field may also name one of ``annotations``, as ``sort_field`` does.
    """
    keys = []
    for name in fields:
        descending = name.startswith("-")
        name = name.removeprefix("-")
        field = sort_field(model, name, annotations)
        keys.append(SortKey(name, descending, nullable=field.null))
    return tuple(keys)


def keyset_condition(
    keys: tuple[SortKey, ...],
    values,
    *,
    reverse: bool = False,
    nulls_largest: bool,
    with_nulls: bool = True,
) -> Q:
    """Return the condition for rows strictly after ``values`` in the key order.

    The rows after (a, b, pk) are those with a beyond the cursor's a, or
    an equal a and a later (b, pk). The condition also bounds the first
    column where it can (``a <= cursor a`` in descending order), which lets
    the database read the rows from an index on it. ``with_nulls=False``
    leaves out the rows whose first column is NULL and follows the cursor.
    """
    options = {"reverse": reverse, "nulls_largest": nulls_largest}
    condition = None
    pairs = list(enumerate(zip(keys, values, strict=True)))
    for position, (key, value) in reversed(pairs):
        first_only = {"with_nulls": with_nulls} if position == 0 else {}
        beyond = key.after(value, **options, **first_only)
        if condition is None:
            condition = beyond
        else:
            condition = beyond | (key.equal(value) & condition)
    bound = keys[0].bound(values[0], **options, with_nulls=with_nulls)
    return condition if bound is None else bound & condition


class KeysetPagination(BasePagination):
    """Paginate a queryset by cursor on one of the view's allowed orderings.

    The response is ``{"next": url, "previous": url, "results": [...]}``.
    ``next`` is null on the last page. ``previous`` is null on the first page
    and may lead to an empty page when the rows before were deleted meanwhile.
    """

    cursor_query_param = "cursor"
    ordering_query_param = "ordering"
    page_size_query_param = "page_size"
    # The queryset's annotations that an ordering may sort by.
    annotations = None

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.model = queryset.model
        self.annotations = queryset.query.annotations
        self.base_url = request.build_absolute_uri()
        choices = view.ordering_choices
        self.ordering = self._requested_ordering(request, view)
        self.page_size = self._requested_page_size(request)
        self.keys = sort_keys(queryset.model, choices[self.ordering], self.annotations)
        cursor = self._requested_cursor(request)

        backwards = cursor is not None and cursor.backwards
        queryset = queryset.order_by(
            *(key.order_by(reverse=backwards) for key in self.keys)
        )
        rows = self._fetch(queryset, cursor, backwards, self.page_size + 1)
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if backwards:
            rows.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, cursor is not None
        self.rows = rows
        return rows

    def _fetch(self, queryset, cursor, backwards: bool, limit: int) -> list:
        """Return up to ``limit`` rows after the cursor.

        When NULLs of the first column follow the cursor's value, a single
        condition would need an OR with ``IS NULL``, which keeps the database
        from reading the index range. So the rows with values are read first.
        Only on the page where they run out does a second query read the
        NULL rows after them. Prefetching runs once for both.
        """
        if cursor is None:
            return list(queryset[:limit])
        options = {
            "reverse": backwards,
            "nulls_largest": connections[queryset.db].features.nulls_order_largest,
        }
        first, value = self.keys[0], cursor.values[0]
        if value is None or not first.nulls_after_values(**options):
            condition = keyset_condition(self.keys, cursor.values, **options)
            return list(queryset.filter(condition)[:limit])

        lookups = queryset._prefetch_related_lookups
        plain = queryset.prefetch_related(None)
        condition = keyset_condition(
            self.keys, cursor.values, **options, with_nulls=False
        )
        rows = list(plain.filter(condition)[:limit])
        if len(rows) < limit:
            nulls = plain.filter(**{f"{first.field}__isnull": True})
            rows += list(nulls[: limit - len(rows)])
        prefetch_related_objects(rows, *lookups)
        return rows

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_next_link(self) -> str | None:
        if not self.has_next or not self.rows:
            return None
        return self._link(Cursor(self.ordering, self._values(self.rows[-1])))

    def get_previous_link(self) -> str | None:
        if not self.has_previous or not self.rows:
            return None
        values = self._values(self.rows[0])
        return self._link(Cursor(self.ordering, values, backwards=True))

    def _values(self, row) -> tuple:
        return tuple(
            row.pk if key.field == "pk" else getattr(row, key.field)
            for key in self.keys
        )

    def _link(self, cursor: Cursor) -> str:
        url = replace_query_param(
            self.base_url, self.cursor_query_param, encode_cursor(cursor)
        )
        return remove_query_param(url, "format")

    def _requested_ordering(self, request, view) -> str:
        value = request.query_params.get(self.ordering_query_param)
        if value is None or value == "":
            return view.default_ordering
        if value not in view.ordering_choices:
            allowed = ", ".join(view.ordering_choices)
            raise ValidationError(
                {
                    self.ordering_query_param: [
                        f"Unknown ordering; use one of {allowed}."
                    ]
                }
            )
        return value

    def _requested_page_size(self, request) -> int:
        value = request.query_params.get(self.page_size_query_param)
        if value is None or value == "":
            return DEFAULT_PAGE_SIZE
        if not (
            PAGE_SIZE_PATTERN.fullmatch(value) and 1 <= int(value) <= MAX_PAGE_SIZE
        ):
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"A page size is a whole number from 1 to {MAX_PAGE_SIZE}."
                    ]
                }
            )
        return int(value)

    def _requested_cursor(self, request) -> Cursor | None:
        value = request.query_params.get(self.cursor_query_param)
        if value is None or value == "":
            return None
        cursor = decode_cursor(value)
        if cursor is None or len(cursor.values) != len(self.keys):
            raise self._invalid_cursor()
        if cursor.ordering != self.ordering:
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        "The cursor belongs to another ordering; keep the ordering "
                        "of the page it came from."
                    ]
                }
            )
        try:
            values = tuple(
                self._to_python(key, value)
                for key, value in zip(self.keys, cursor.values, strict=True)
            )
        except (DjangoValidationError, FieldDoesNotExist, TypeError, OverflowError):
            raise self._invalid_cursor() from None
        return Cursor(cursor.ordering, values, cursor.backwards)

    def _to_python(self, key: SortKey, value):
        field = sort_field(self.model, key.field, self.annotations)
        if value is None:
            if not key.nullable:
                raise TypeError("NULL in a column that cannot be NULL")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise TypeError("cursor values are strings or integers")
        value = field.to_python(value)
        # The field's validators bound integers to the column's range, which
        # the database driver would otherwise reject with an error.
        field.run_validators(value)
        if isinstance(value, datetime.datetime):
            # Cursors carry times with their UTC offset. A naive time cannot
            # be compared with the rows' times, and one that converts to a
            # year outside 1 to 9999 in UTC raises OverflowError.
            if timezone.is_naive(value):
                raise TypeError("a cursor time without a UTC offset")
            value = value.astimezone(datetime.UTC)
        return value

    def _invalid_cursor(self) -> ValidationError:
        return ValidationError(
            {
                self.cursor_query_param: [
                    "Invalid cursor; use the next or previous link of a page."
                ]
            }
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {**link, "description": "The next page; null on the last."},
                "previous": {
                    **link,
                    "description": "The previous page; null on the first.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "The position to continue from, as given in the "
                "next and previous links of a page.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Rows per page, from 1 to {MAX_PAGE_SIZE}.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_PAGE_SIZE,
                    "default": DEFAULT_PAGE_SIZE,
                },
            },
            {
                "name": self.ordering_query_param,
                "in": "query",
                "required": False,
                "description": "The sort order; a leading minus sign means descending.",
                "schema": {
                    "type": "string",
                    "enum": list(view.ordering_choices),
                    "default": view.default_ordering,
                },
            },
        ]


def encode_cursor(cursor: Cursor) -> str:
    """Encode a cursor as URL-safe base64 of JSON, without padding."""
    payload = {
        "o": cursor.ordering,
        "v": [_json_value(value) for value in cursor.values],
    }
    if cursor.backwards:
        payload["b"] = 1
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor | None:
    """Decode a cursor made by ``encode_cursor``; return None if it is malformed.

    The values are returned as stored in JSON; the paginator converts them
    with the model fields.
    """
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        payload = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: arrays nested a thousand deep exhaust the decoder.
        return None
    if not isinstance(payload, dict):
        return None
    ordering, values = payload.get("o"), payload.get("v")
    if not isinstance(ordering, str) or not isinstance(values, list):
        return None
    return Cursor(ordering, tuple(values), backwards=bool(payload.get("b")))


def _json_value(value):
    if value is None or isinstance(value, int | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
