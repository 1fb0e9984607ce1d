"""Serializer fields and the request body serializer that every app's API uses."""

from collections.abc import Mapping
from urllib.parse import quote

from django.urls import reverse
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

# The characters that Django's reverse() leaves unescaped in a URL argument
# (django.urls.resolvers, Django 5.2): RFC 3986 sub-delimiters and "/~:@".
URL_SAFE = "!$&'()*+,;=/~:@"

# A value that every route argument accepts: digits for ids, any text for
# keys and usernames.
PLACEHOLDER = "0123456789"


@extend_schema_field(OpenApiTypes.URI)
class ReversedUrlField(serializers.Field):
    """The absolute URL of a route for each object, reversed once per serializer.

    ``reverse()`` costs about 0.1 ms, several times per row of a list, so
    the route is reversed once with a placeholder and each object's value
    is escaped into it, exactly as ``reverse()`` escapes it. For API routes
    and the site's pages alike: ``ReversedUrlField("api:user-detail",
    lookup_field="username")``. A route whose argument has a converter of
    its own names it in ``converter``, since ``reverse()`` applies the
    converter's ``to_url`` before escaping. With ``allow_null=True``, an
    object whose lookup value is None (an unset foreign key) has a null URL.
    """

    def __init__(
        self,
        view_name: str,
        *,
        lookup_field: str = "pk",
        url_kwarg: str | None = None,
        converter=None,
        **kwargs,
    ):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)
        self.view_name = view_name
        self.lookup_field = lookup_field
        self.url_kwarg = url_kwarg or lookup_field
        self.to_url = converter.to_url if converter is not None else str

    @cached_property
    def url_template(self) -> tuple[str, str]:
        """Return the absolute URL before and after the object's value."""
        path = reverse(self.view_name, kwargs={self.url_kwarg: PLACEHOLDER})
        request = self.context.get("request")
        url = request.build_absolute_uri(path) if request else path
        head, _, tail = url.rpartition(PLACEHOLDER)
        return head, tail

    def to_representation(self, value):
        lookup = getattr(value, self.lookup_field)
        if lookup is None and self.allow_null:
            return None
        head, tail = self.url_template
        return head + quote(self.to_url(lookup), safe=URL_SAFE) + tail


class InputSerializer(serializers.Serializer):
    """A serializer of a request body that rejects fields it does not declare.

    DRF drops undeclared fields silently, so a misspelt field such as
    ``privat`` would be ignored and its default saved. Every write's body
    serializer derives from this class. Each unknown field gets its own
    error, code ``unknown_field``, together with the errors of the known
    fields.
    """

    def to_internal_value(self, data):
        unknown = self.unknown_field_errors(data)
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if not unknown or not isinstance(error.detail, dict):
                raise
            raise serializers.ValidationError({**error.detail, **unknown}) from None
        if unknown:
            raise serializers.ValidationError(unknown)
        return values

    def unknown_field_errors(self, data) -> dict:
        """Return an error for each key of ``data`` that is no writable field."""
        if not isinstance(data, Mapping):
            return {}
        writable = sorted(
            name for name, field in self.fields.items() if not field.read_only
        )
        message = f"Unknown field. The accepted fields are {', '.join(writable)}."
        return {
            name: [ErrorDetail(message, code="unknown_field")]
            for name in data
            if name not in writable
        }
