"""API for summaries: list, detail, write, delete, vote, revisions and diffs.

Every read starts from ``Summary.objects.visible_to(caller)``, so a private
summary of someone else returns the same 404 as a missing one. An
anonymous summary is credited to nobody except for its own author.
"""

import django_filters
from django.utils.functional import cached_property
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.reverse import reverse

from accounts.api import MemberFieldMixin, MemberSerializer, get_member_or_404
from accounts.models import User
from papers.api import PaperReferenceSerializer
from papers.models import Paper
from shortscience.api.permissions import Authenticated
from shortscience.api.schema import BIBTEX_KEY_PARAMETER, USERNAME_PARAMETER
from shortscience.api.serializers import InputSerializer, ReversedUrlField
from shortscience.exceptions import ServiceError

from . import services
from .diff import diff_sources
from .models import Summary, SummaryRevision, Vote
from .selectors import votes_by_viewer, with_listing_data

SUMMARY_ORDERINGS = {
    "-created": ("-created", "-pk"),
    "created": ("created", "pk"),
    "-score": ("-score", "-created", "-pk"),
    "score": ("score", "created", "pk"),
}
REVISION_ORDERINGS = {"-number": ("-number",), "number": ("number",)}

# Bounds of identifiers and version numbers in requests, so that a huge
# number is a 400 and never reaches the database driver.
MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1


def get_summary_or_404(pk, *, viewer) -> Summary:
    """Return summary ``pk`` with its listing data if ``viewer`` may see it.

    Raises NotFound otherwise, with the same message for a missing summary
    and a private one of someone else.
    """
    queryset = with_listing_data(Summary.objects.visible_to(viewer), full_text=True)
    summary = queryset.filter(pk=pk).first()
    if summary is None:
        raise NotFound("Summary not found.")
    return summary


def credited_author(summary: Summary, request):
    """Return the member credited with ``summary`` for the caller, or None."""
    return summary.author_shown_to(request.user if request else None)


class SummarySerializer(MemberFieldMixin, serializers.ModelSerializer):
    """A summary: its Markdown source, the rendered HTML with MathML, and links.

    ``author`` is null for an anonymous summary unless the caller wrote it.
    ``viewer_vote`` is the caller's vote (1 or -1), null without one.
    """

    url = ReversedUrlField("api:summary-detail")
    html_url = ReversedUrlField("summaries:detail")
    paper = PaperReferenceSerializer()
    author = serializers.SerializerMethodField()
    html = serializers.CharField(help_text="Sanitised HTML with MathML.")
    comment_count = serializers.IntegerField(
        help_text="Comments not deleted, replies included."
    )
    viewer_vote = serializers.SerializerMethodField()
    revisions_url = ReversedUrlField("api:summary-revisions")
    comments_url = ReversedUrlField("api:summary-comments")
    vote_url = ReversedUrlField("api:summary-vote")

    class Meta:
        model = Summary
        fields = [
            "id",
            "url",
            "html_url",
            "paper",
            "author",
            "anonymous",
            "private",
            "source",
            "html",
            "score",
            "version",
            "comment_count",
            "viewer_vote",
            "created",
            "updated",
            "revisions_url",
            "comments_url",
            "vote_url",
        ]
        read_only_fields = fields

    @extend_schema_field(MemberSerializer(allow_null=True))
    def get_author(self, summary):
        return self.member_data(credited_author(summary, self.context.get("request")))

    @extend_schema_field(
        serializers.ChoiceField(choices=Vote.VALUE_CHOICES, allow_null=True)
    )
    def get_viewer_vote(self, summary) -> int | None:
        return self.context.get("votes", {}).get(summary.pk)


class SummaryCreateSerializer(InputSerializer):
    paper = serializers.CharField(
        max_length=255, help_text="The BibTeX key of the paper summarised."
    )
    source = serializers.CharField(
        trim_whitespace=False, help_text="Markdown with LaTeX math."
    )
    private = serializers.BooleanField(default=False)
    anonymous = serializers.BooleanField(default=False)

    def validate_paper(self, value: str) -> Paper:
        paper = Paper.objects.filter(bibtex_key=value).first()
        if paper is None:
            raise ValidationError("No paper has this BibTeX key.")
        return paper


class SummaryUpdateSerializer(InputSerializer):
    """An edit of a summary; ``base_version`` is the version it started from."""

    source = serializers.CharField(
        trim_whitespace=False, help_text="Markdown with LaTeX math."
    )
    private = serializers.BooleanField()
    anonymous = serializers.BooleanField()
    base_version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_VERSION,
        help_text="The `version` the edit started from; if the summary was "
        "saved since, the edit is rejected with 409.",
    )


class VoteSerializer(InputSerializer):
    value = serializers.ChoiceField(choices=Vote.VALUE_CHOICES, help_text="1 or -1.")


class VoteStateSerializer(serializers.Serializer):
    value = serializers.ChoiceField(
        choices=Vote.VALUE_CHOICES,
        allow_null=True,
        help_text="The caller's vote; null without one.",
    )
    score = serializers.IntegerField(help_text="The summary's score after the vote.")


class RevisionSerializer(MemberFieldMixin, serializers.ModelSerializer):
    """One saved version of a summary's source.

    ``editor`` is null on an anonymous summary unless the caller wrote it.
    """

    url = serializers.SerializerMethodField()
    editor = serializers.SerializerMethodField()

    class Meta:
        model = SummaryRevision
        fields = ["number", "url", "source", "editor", "created"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_url(self, revision) -> str:
        return reverse(
            "api:summary-revision",
            kwargs={"pk": revision.summary_id, "number": revision.number},
            request=self.context["request"],
        )

    @extend_schema_field(MemberSerializer(allow_null=True))
    def get_editor(self, revision):
        if not self.context["show_editors"]:
            return None
        return self.member_data(revision.editor)


class DiffQuerySerializer(serializers.Serializer):
    old = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_VERSION,
        help_text="The older revision number; by default the one before `new`.",
    )
    new = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_VERSION,
        help_text="The newer revision number; by default the latest.",
    )


class SegmentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["equal", "removed", "added"])
    text = serializers.CharField()


class DiffLineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["equal", "removed", "added", "changed"])
    segments = SegmentSerializer(many=True)


class DiffSerializer(serializers.Serializer):
    """The lines of revision ``new`` compared with ``old``, changes marked.

    A ``changed`` line contains removed and added segments inside its text.
    """

    old = serializers.IntegerField()
    new = serializers.IntegerField()
    lines = DiffLineSerializer(many=True)


class SummaryFilter(django_filters.FilterSet):
    """The filters of the summary list; only these fields filter."""

    paper = django_filters.CharFilter(
        field_name="paper__bibtex_key",
        max_length=255,
        help_text="The BibTeX key of the paper summarised.",
    )
    author = django_filters.CharFilter(
        method="filter_author",
        max_length=150,
        help_text="The username of the member credited; anonymous summaries "
        "are credited to nobody but their author.",
    )

    class Meta:
        model = Summary
        fields = ["paper", "author"]

    def filter_author(self, queryset, name, value):
        member = User.objects.filter(username=value, is_active=True).first()
        if member is None:
            return queryset.none()
        credited = Summary.objects.attributed_to(member, self.request.user)
        return queryset.filter(pk__in=credited.values("pk"))


class SummaryListMixin:
    """Serialize a page of summaries with the caller's votes in one query."""

    serializer_class = SummarySerializer
    ordering_choices = SUMMARY_ORDERINGS
    default_ordering = "-created"

    def visible_summaries(self):
        return with_listing_data(
            Summary.objects.visible_to(self.request.user), full_text=True
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = self.get_serializer_context()
        context["votes"] = votes_by_viewer(viewer=request.user, summaries=page)
        serializer = SummarySerializer(page, many=True, context=context)
        return self.get_paginated_response(serializer.data)


class SummaryViewSet(
    SummaryListMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Summaries: list, read, write, delete, vote, revisions and diffs."""

    filterset_class = SummaryFilter
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        return self.visible_summaries()

    @cached_property
    def summary(self) -> Summary:
        """The summary named in the URL, if the caller may see it, else 404."""
        return get_summary_or_404(self.kwargs["pk"], viewer=self.request.user)

    def respond(self, summary: Summary, status_code=status.HTTP_200_OK, **kwargs):
        context = self.get_serializer_context()
        context["votes"] = votes_by_viewer(
            viewer=self.request.user, summaries=[summary]
        )
        data = SummarySerializer(summary, context=context).data
        return Response(data, status=status_code, **kwargs)

    def reloaded(self, summary: Summary) -> Summary:
        return self.visible_summaries().get(pk=summary.pk)

    @extend_schema(summary="Show a summary")
    def retrieve(self, request, pk=None):
        return self.respond(self.summary)

    @extend_schema(
        summary="Write a summary",
        request=SummaryCreateSerializer,
        responses={
            201: SummarySerializer,
            409: OpenApiResponse(
                description="The caller has already summarised this paper."
            ),
        },
    )
    def create(self, request):
        data = SummaryCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        summary = services.create_summary(author=request.user, **data.validated_data)
        url = reverse("api:summary-detail", kwargs={"pk": summary.pk}, request=request)
        return self.respond(
            self.reloaded(summary), status.HTTP_201_CREATED, headers={"Location": url}
        )

    @extend_schema(
        summary="Replace a summary's text and settings",
        request=SummaryUpdateSerializer,
        responses={
            200: SummarySerializer,
            409: OpenApiResponse(
                description="The summary was saved since `base_version`."
            ),
        },
    )
    def update(self, request, pk=None):
        return self._update(request, partial=False)

    @extend_schema(
        summary="Edit part of a summary",
        request=SummaryUpdateSerializer(partial=True),
        responses={
            200: SummarySerializer,
            409: OpenApiResponse(
                description="The summary was saved since `base_version`."
            ),
        },
    )
    def partial_update(self, request, pk=None):
        return self._update(request, partial=True)

    def _update(self, request, *, partial: bool):
        summary = self.summary
        data = SummaryUpdateSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "base_version" not in values:
            raise ValidationError({"base_version": ["This field is required."]})
        try:
            services.update_summary(
                summary=summary,
                editor=request.user,
                source=values.get("source", summary.source),
                private=values.get("private", summary.private),
                anonymous=values.get("anonymous", summary.anonymous),
                base_version=values["base_version"],
            )
        except services.VersionConflict as conflict:
            raise ServiceError(
                f"{conflict.message} Fetch the summary (GET "
                f"{reverse('api:summary-detail', kwargs={'pk': summary.pk})}), "
                "apply your edit to its current source, and send the edit again "
                f'with "base_version": {conflict.current_version}, its current '
                '"version".',
                code="conflict",
                field=conflict.field,
            ) from None
        return self.respond(self.reloaded(summary))

    @extend_schema(summary="Delete a summary", responses={204: None})
    def destroy(self, request, pk=None):
        services.delete_summary(summary=self.summary, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Show the caller's vote",
        methods=["GET"],
        responses=VoteStateSerializer,
    )
    @extend_schema(
        summary="Vote +1 or -1",
        methods=["PUT"],
        request=VoteSerializer,
        responses=VoteStateSerializer,
    )
    @extend_schema(
        summary="Remove the caller's vote",
        methods=["DELETE"],
        responses={200: VoteStateSerializer},
    )
    @action(
        detail=True,
        methods=["get", "put", "delete"],
        permission_classes=[Authenticated],
        pagination_class=None,
    )
    def vote(self, request, pk=None):
        summary = self.summary
        if request.method == "GET":
            votes = votes_by_viewer(viewer=request.user, summaries=[summary])
            value = votes.get(summary.pk)
            return Response({"value": value, "score": summary.score})
        value = None
        if request.method == "PUT":
            data = VoteSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            value = data.validated_data["value"]
        score = services.cast_vote(summary=summary, user=request.user, value=value)
        return Response({"value": value, "score": score})

    def revision_context(self) -> dict:
        summary = self.summary
        context = self.get_serializer_context()
        context["summary"] = summary
        context["show_editors"] = (
            not summary.anonymous or summary.author_id == self.request.user.pk
        )
        return context

    @extend_schema(
        summary="List a summary's revisions",
        responses=RevisionSerializer(many=True),
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        ordering_choices=REVISION_ORDERINGS,
        default_ordering="-number",
    )
    def revisions(self, request, pk=None):
        revisions = self.summary.revisions.select_related("editor")
        page = self.paginate_queryset(revisions)
        data = RevisionSerializer(page, many=True, context=self.revision_context())
        return self.get_paginated_response(data.data)

    @extend_schema(
        summary="Show one revision",
        parameters=[
            OpenApiParameter("number", int, OpenApiParameter.PATH),
        ],
        responses=RevisionSerializer,
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="revisions/(?P<number>[0-9]{1,9})",
        url_name="revision",
        pagination_class=None,
    )
    def revision(self, request, pk=None, number=None):
        revision = (
            self.summary.revisions.select_related("editor")
            .filter(number=int(number))
            .first()
        )
        if revision is None:
            raise NotFound("Revision not found.")
        return Response(
            RevisionSerializer(revision, context=self.revision_context()).data
        )

    @extend_schema(
        summary="Compare two revisions",
        parameters=[DiffQuerySerializer],
        responses=DiffSerializer,
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def diff(self, request, pk=None):
        summary = self.summary
        query = DiffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        new = query.validated_data.get("new", summary.version)
        old = query.validated_data.get("old", max(new - 1, 1))
        sources = dict(
            summary.revisions.filter(number__in=[old, new]).values_list(
                "number", "source"
            )
        )
        for name, number in (("old", old), ("new", new)):
            if number not in sources:
                raise ValidationError(
                    {
                        name: [
                            f"Unknown revision; this summary has revisions 1 to "
                            f"{summary.version}."
                        ]
                    }
                )
        lines = diff_sources(sources[old], sources[new])
        return Response(DiffSerializer({"old": old, "new": new, "lines": lines}).data)


class PaperSummaryList(SummaryListMixin, ListAPIView):
    """List the summaries of a paper that the caller may see, best first."""

    default_ordering = "-score"

    @extend_schema(parameters=[BIBTEX_KEY_PARAMETER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Summary.objects.none()
        paper = Paper.objects.filter(bibtex_key=self.kwargs["bibtex_key"]).first()
        if paper is None:
            raise NotFound("Paper not found.")
        return self.visible_summaries().filter(paper=paper)


class UserSummaryList(SummaryListMixin, ListAPIView):
    """List the summaries credited to a member that the caller may see.

    Anonymous summaries are listed only for their own author.
    """

    @extend_schema(parameters=[USERNAME_PARAMETER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Summary.objects.none()
        member = get_member_or_404(self.kwargs["username"])
        credited = Summary.objects.attributed_to(member, self.request.user)
        return with_listing_data(credited, full_text=True)
