"""API for comments: a summary's threads, posting, replying, editing, deleting.

Comments are reachable only through summaries the caller may see. On an
anonymous summary, the comments of its author are not credited to them,
so that a reply does not reveal who wrote the summary.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.reverse import reverse

from accounts.api import MemberFieldMixin, MemberSerializer
from shortscience.api.pagination import KeysetPagination, sort_keys
from shortscience.api.serializers import InputSerializer, ReversedUrlField
from summaries.api import MAX_ID, get_summary_or_404

from . import services
from .models import Comment
from .selectors import comment_threads, flatten_threads

THREAD_ORDERINGS = {"created": ("created", "pk")}


def credited_commenter(comment: Comment, summary, viewer):
    """Return the member credited with ``comment`` for ``viewer``, or None.

    None for a deleted comment, and for the author of an anonymous summary
    commenting on it, unless ``viewer`` is that author.
    """
    if comment.is_deleted:
        return None
    if summary.anonymous and comment.author_id == summary.author_id:
        return summary.author_shown_to(viewer)
    return comment.author


class CommentSerializer(MemberFieldMixin, serializers.ModelSerializer):
    """A comment with its Markdown source and rendered HTML.

    A deleted comment keeps its place for its replies, with empty ``source``
    and ``html`` and a null ``author``.
    """

    url = ReversedUrlField("api:comment-detail")
    summary_url = ReversedUrlField(
        "api:summary-detail", lookup_field="summary_id", url_kwarg="pk"
    )
    author = serializers.SerializerMethodField()
    html = serializers.CharField(help_text="Sanitised HTML with MathML.")
    deleted = serializers.BooleanField(source="is_deleted")

    class Meta:
        model = Comment
        fields = [
            "id",
            "url",
            "summary_url",
            "parent",
            "author",
            "source",
            "html",
            "created",
            "edited",
            "deleted",
        ]
        read_only_fields = fields

    @extend_schema_field(MemberSerializer(allow_null=True))
    def get_author(self, comment):
        viewer = self.context["request"].user
        return self.member_data(
            credited_commenter(comment, self.context["summary"], viewer)
        )


class ThreadCommentSerializer(CommentSerializer):
    """A comment in a thread listing, with its depth (0 for a top-level one)."""

    depth = serializers.IntegerField()

    class Meta(CommentSerializer.Meta):
        fields = [*CommentSerializer.Meta.fields, "depth"]
        read_only_fields = fields


class CommentCreateSerializer(InputSerializer):
    source = serializers.CharField(
        trim_whitespace=False, help_text="Markdown with LaTeX math."
    )
    parent = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="The id of the comment replied to, on the same summary.",
    )


class CommentEditSerializer(InputSerializer):
    source = serializers.CharField(
        trim_whitespace=False, help_text="Markdown with LaTeX math."
    )


class ThreadPagination(KeysetPagination):
    """Paginate a summary's threads: a page contains whole top-level threads.

    The page size counts top-level comments; each comes with all its
    replies, in display order. Threads are ordered by the time of their
    first comment, so new replies never move a thread to another page.
    """

    def paginate_threads(self, roots: list, request, view) -> list:
        """Return the comment nodes of one page of ``roots``, flattened."""
        self.request = request
        self.model = Comment
        self.base_url = request.build_absolute_uri()
        self.ordering = self._requested_ordering(request, view)
        self.page_size = self._requested_page_size(request)
        self.keys = sort_keys(Comment, view.ordering_choices[self.ordering])
        cursor = self._requested_cursor(request)
        if cursor is None:
            rows = roots[: self.page_size + 1]
            self.has_previous = False
            self.has_next = len(rows) > self.page_size
            rows = rows[: self.page_size]
        elif cursor.backwards:
            before = [node for node in roots if self._values(node) < cursor.values]
            self.has_previous = len(before) > self.page_size
            self.has_next = True
            rows = before[-self.page_size :]
        else:
            after = [node for node in roots if self._values(node) > cursor.values]
            self.has_previous = True
            self.has_next = len(after) > self.page_size
            rows = after[: self.page_size]
        self.rows = rows
        return flatten_threads(rows)

    def _values(self, row) -> tuple:
        return (row.comment.created, row.comment.pk)


class SummaryComments(GenericAPIView):
    """List a summary's comments as threads, and post a comment or a reply."""

    serializer_class = ThreadCommentSerializer
    pagination_class = ThreadPagination
    ordering_choices = THREAD_ORDERINGS
    default_ordering = "created"

    def get_queryset(self):
        return Comment.objects.none()

    @extend_schema(
        summary="List a summary's comment threads",
        responses=ThreadCommentSerializer(many=True),
    )
    def get(self, request, pk):
        summary = get_summary_or_404(pk, viewer=request.user)
        roots = comment_threads(summary=summary)
        nodes = self.paginator.paginate_threads(roots, request, self)
        for node in nodes:
            node.comment.depth = node.depth
        context = {**self.get_serializer_context(), "summary": summary}
        data = ThreadCommentSerializer(
            [node.comment for node in nodes], many=True, context=context
        ).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Post a comment or a reply",
        request=CommentCreateSerializer,
        responses={201: CommentSerializer},
    )
    def post(self, request, pk):
        summary = get_summary_or_404(pk, viewer=request.user)
        data = CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        parent = None
        parent_id = data.validated_data.get("parent")
        if parent_id is not None:
            parent = Comment.objects.filter(pk=parent_id, summary=summary).first()
            if parent is None:
                raise ValidationError(
                    {"parent": ["The comment you are replying to does not exist."]}
                )
        comment = services.create_comment(
            summary=summary,
            author=request.user,
            source=data.validated_data["source"],
            parent=parent,
        )
        context = {**self.get_serializer_context(), "summary": summary}
        url = reverse("api:comment-detail", kwargs={"pk": comment.pk}, request=request)
        return Response(
            CommentSerializer(comment, context=context).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": url},
        )


class CommentDetail(GenericAPIView):
    """Show, edit or delete one comment."""

    serializer_class = CommentSerializer

    def get_queryset(self):
        return Comment.objects.none()

    def get_comment(self) -> Comment:
        queryset = Comment.objects.visible_to(self.request.user).select_related(
            "author", "summary", "summary__author"
        )
        comment = queryset.filter(pk=self.kwargs["pk"]).first()
        if comment is None:
            raise NotFound("Comment not found.")
        return comment

    def respond(self, comment: Comment) -> Response:
        context = {**self.get_serializer_context(), "summary": comment.summary}
        return Response(CommentSerializer(comment, context=context).data)

    @extend_schema(summary="Show a comment")
    def get(self, request, pk):
        return self.respond(self.get_comment())

    @extend_schema(
        summary="Edit a comment",
        request=CommentEditSerializer,
        responses={
            200: CommentSerializer,
            409: OpenApiResponse(description="The comment was deleted."),
        },
    )
    def patch(self, request, pk):
        comment = self.get_comment()
        data = CommentEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.edit_comment(
            comment=comment, editor=request.user, source=data.validated_data["source"]
        )
        return self.respond(comment)

    @extend_schema(
        summary="Delete a comment, keeping its replies", responses={204: None}
    )
    def delete(self, request, pk):
        services.delete_comment(comment=self.get_comment(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
