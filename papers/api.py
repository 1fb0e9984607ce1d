"""API for papers: list with filters, search, detail by BibTeX key, BibTeX export.

A paper's ``summary_count`` and the ``has_summaries`` filter count only the
summaries the caller may see.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import renderers, serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import MemberSerializer
from shortscience.api.schema import BIBTEX_KEY_PARAMETER
from shortscience.api.serializers import ReversedUrlField
from summaries.models import Summary

from . import selectors
from .export import bibtex_content_disposition
from .models import Authorship, Paper
from .paths import ApiPaperKeyConverter, PathValueConverter

PAPER_ORDERINGS = {
    "-id": ("-pk",),
    "id": ("pk",),
    "-year": ("-year", "-pk"),
    "year": ("year", "pk"),
}

SEARCH_MAX_LENGTH = 200

# The converters of the BibTeX key in the API's paper routes and the pages.
API_KEY = ApiPaperKeyConverter()
PAGE_KEY = PathValueConverter()


class AuthorSerializer(serializers.Serializer):
    """An author's name as a whole and in its BibTeX parts."""

    id = serializers.IntegerField()
    name = serializers.CharField(help_text="Display form: First von Last, Jr.")
    first = serializers.CharField()
    von = serializers.CharField()
    last = serializers.CharField()
    jr = serializers.CharField()


class PaperReferenceSerializer(serializers.ModelSerializer):
    """A paper as named inside another resource, such as a summary."""

    url = ReversedUrlField(
        "api:paper-detail", lookup_field="bibtex_key", converter=API_KEY
    )
    html_url = ReversedUrlField(
        "papers:detail", lookup_field="bibtex_key", converter=PAGE_KEY
    )
    authors = serializers.SerializerMethodField()

    class Meta:
        model = Paper
        fields = ["bibtex_key", "url", "html_url", "title", "authors", "year", "venue"]
        read_only_fields = fields

    @extend_schema_field(AuthorSerializer(many=True))
    def get_authors(self, paper) -> list[dict]:
        # One serializer for every author: building one per author would
        # take most of the time of a page.
        authors = self.author_serializer
        return [
            authors.to_representation(authorship.author)
            for authorship in paper.authorships.all()
        ]

    @cached_property
    def author_serializer(self) -> AuthorSerializer:
        return AuthorSerializer()


class PaperSerializer(PaperReferenceSerializer):
    """A paper's metadata, its submitter and the number of visible summaries."""

    external_url = serializers.CharField(
        source="url",
        help_text="The paper's own address as given in its entry; empty if none.",
    )
    submitted_by = MemberSerializer(allow_null=True)
    summary_count = serializers.IntegerField(
        help_text="The summaries of this paper that the caller may see."
    )
    summaries_url = ReversedUrlField(
        "api:paper-summaries", lookup_field="bibtex_key", converter=API_KEY
    )
    bibtex_url = ReversedUrlField(
        "api:paper-bibtex", lookup_field="bibtex_key", converter=API_KEY
    )

    class Meta(PaperReferenceSerializer.Meta):
        fields = [
            *PaperReferenceSerializer.Meta.fields,
            "entry_type",
            "month",
            "abstract",
            "arxiv_id",
            "doi",
            "external_url",
            "submitted_by",
            "summary_count",
            "summaries_url",
            "bibtex_url",
            "created",
            "updated",
        ]
        read_only_fields = fields


class PaperDetailSerializer(PaperSerializer):
    """A paper with its BibTeX entry as imported."""

    class Meta(PaperSerializer.Meta):
        fields = [*PaperSerializer.Meta.fields, "bibtex"]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A filter on whole numbers, bounded like the column it filters."""

    field_class = forms.IntegerField


class StrictBooleanField(forms.Field):
    """A yes/no query parameter: true, false, 1 or 0; anything else is invalid."""

    widget = forms.TextInput
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return self.VALUES[str(value).lower()]
        except KeyError:
            raise forms.ValidationError(
                "Enter true or false.", code="invalid"
            ) from None


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class PaperFilter(django_filters.FilterSet):
    """The filters of the paper list and search; only these fields filter."""

    bibtex_key = django_filters.CharFilter(
        max_length=255, help_text="Exactly this BibTeX key, for any key."
    )
    year = IntegerFilter(min_value=0, max_value=32767)
    year_min = IntegerFilter(
        field_name="year", lookup_expr="gte", min_value=0, max_value=32767
    )
    year_max = IntegerFilter(
        field_name="year", lookup_expr="lte", min_value=0, max_value=32767
    )
    venue = django_filters.CharFilter(max_length=500, help_text="Exactly this venue.")
    author = IntegerFilter(
        method="filter_author",
        min_value=1,
        max_value=2**63 - 1,
        help_text="The id of an author, from a paper's `authors`.",
    )
    has_summaries = StrictBooleanFilter(
        method="filter_has_summaries",
        help_text="Papers with (true) or without (false) a summary the caller may see.",
    )

    class Meta:
        model = Paper
        fields = [
            "bibtex_key",
            "year",
            "year_min",
            "year_max",
            "venue",
            "author",
            "has_summaries",
        ]

    def filter_author(self, queryset, name, value):
        papers = Authorship.objects.filter(author_id=value).values("paper_id")
        return queryset.filter(pk__in=papers)

    def filter_has_summaries(self, queryset, name, value):
        visible = Summary.objects.visible_to(self.request.user).filter(
            paper=OuterRef("pk")
        )
        return queryset.filter(Exists(visible) if value else ~Exists(visible))


class PaperListMixin:
    serializer_class = PaperSerializer
    filterset_class = PaperFilter
    ordering_choices = PAPER_ORDERINGS
    default_ordering = "-id"

    def listing(self, queryset=None):
        return selectors.paper_listing(
            viewer=self.request.user, queryset=queryset
        ).select_related("submitted_by")


class PaperList(PaperListMixin, ListAPIView):
    """List papers, newest first by default, filtered by the query parameters."""

    def get_queryset(self):
        return self.listing()


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=SEARCH_MAX_LENGTH,
        help_text="Words that each must appear in the title, an author's name, "
        "the abstract, the venue, the BibTeX key or a visible summary. A "
        "BibTeX key, arXiv identifier or DOI, bare or as a URL, puts the paper "
        "it names first.",
    )


@extend_schema(parameters=[SearchQuerySerializer])
class PaperSearch(PaperListMixin, ListAPIView):
    """Search papers, best match first by default; filters apply too.

    A paper that the query names by BibTeX key, arXiv identifier or DOI
    comes first, as the search page opens it.
    """

    # search_position is unique within one search, and "relevance" pages
    # through the results in the order of the search.
    ordering_choices = {"relevance": ("search_position",), **PAPER_ORDERINGS}
    default_ordering = "relevance"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Paper.objects.none()
        query = SearchQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        results = selectors.search_papers(
            query=query.validated_data["q"], viewer=self.request.user
        )
        return results.select_related("submitted_by")


class PaperDetail(RetrieveAPIView):
    """Show a paper by its BibTeX key."""

    serializer_class = PaperDetailSerializer

    @extend_schema(parameters=[BIBTEX_KEY_PARAMETER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        return get_paper_or_404(self.kwargs["bibtex_key"], viewer=self.request.user)


def get_paper_or_404(bibtex_key: str, *, viewer) -> Paper:
    """Return the paper with this key, as listed for ``viewer``, or raise 404."""
    queryset = Paper.objects.filter(bibtex_key=bibtex_key)
    paper = (
        selectors.paper_listing(viewer=viewer, queryset=queryset)
        .select_related("submitted_by")
        .first()
    )
    if paper is None:
        raise NotFound("Paper not found.")
    return paper


class BibTeXRenderer(renderers.BaseRenderer):
    media_type = "application/x-bibtex"
    format = "bib"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data.encode(self.charset) if isinstance(data, str) else b""


class PaperBibTeX(APIView):
    """Return the paper's BibTeX entry as imported, as a .bib file.

    Returns 404 for a paper that has no stored entry.
    """

    renderer_classes = [BibTeXRenderer]

    @extend_schema(
        parameters=[BIBTEX_KEY_PARAMETER],
        responses={
            (200, "application/x-bibtex"): OpenApiResponse(
                OpenApiTypes.STR, description="The BibTeX entry."
            )
        },
    )
    def get(self, request, bibtex_key):
        paper = Paper.objects.filter(bibtex_key=bibtex_key).only("bibtex_key", "bibtex")
        paper = paper.first()
        if paper is None:
            raise NotFound("Paper not found.")
        if not paper.bibtex:
            # Papers added without an import (in the admin, say) have no entry.
            raise NotFound("This paper has no BibTeX entry.")
        return Response(
            paper.bibtex,
            headers={
                "Content-Disposition": bibtex_content_disposition(paper.bibtex_key)
            },
        )

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON like everywhere else in the API, whatever the
        # negotiated media type of a successful response.
        if getattr(response, "exception", False):
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)
