"""API for demos: list and show demos, request a run, read a run's outputs.

Every read starts from ``Demo.objects.visible_to(caller)``, so a demo the
caller may not see (awaiting approval, or attached to a private summary of
someone else) returns the same 404 as a missing one, and so do its runs.
"""

import django_filters
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView, ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.reverse import reverse

from papers.api import PaperReferenceSerializer
from shortscience.api.serializers import InputSerializer, ReversedUrlField

from . import services
from .models import Demo, DemoRun
from .selectors import demo_listing, get_visible_demo, get_visible_run

DEMO_ORDERINGS = {
    "-created": ("-created", "-pk"),
    "created": ("created", "pk"),
}

# The statuses a run gives its code cells (``demos.execution.CellResult``).
CELL_STATUSES = ["ok", "error", "timed_out", "skipped", "not_run"]

RUN_REQUEST_OUTCOMES = {
    "cached": "Served from the cache: a run of the same code, parameters and "
    "environment succeeded before.",
    "joined": "A run of the same code, parameters and environment is queued or "
    "running; the request joined it.",
    "queued": "A new run is queued.",
}


def get_demo_or_404(pk, *, viewer) -> Demo:
    """Return demo ``pk`` with its listing data if ``viewer`` may see it, else 404."""
    demo = demo_listing(viewer=viewer).filter(pk=pk).first()
    if demo is None:
        raise NotFound("Demo not found.")
    return demo


def get_run_or_404(pk, *, viewer) -> DemoRun:
    """Return run ``pk`` if ``viewer`` may see its demo; raise 404 otherwise."""
    try:
        return get_visible_run(pk=pk, viewer=viewer)
    except DemoRun.DoesNotExist:
        raise NotFound("Run not found.") from None


class RunReferenceSerializer(serializers.ModelSerializer):
    """A run as named inside a demo: its state and progress, without outputs."""

    url = ReversedUrlField("api:demo-run-detail")

    class Meta:
        model = DemoRun
        fields = [
            "id",
            "url",
            "status",
            "progress_cell",
            "cell_count",
            "created",
            "finished",
        ]
        read_only_fields = fields


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {},
        "description": "Values assigned after the notebook's cell tagged "
        "`parameters`, by Python identifier.",
    }
)
class ParametersField(serializers.JSONField):
    """A JSON object of notebook parameters."""


class DemoSerializer(serializers.ModelSerializer):
    """A demo notebook: what it shows, where it runs, its limits and latest runs."""

    url = ReversedUrlField("api:demo-detail")
    paper = PaperReferenceSerializer()
    summary_url = ReversedUrlField(
        "api:summary-detail", lookup_field="summary_id", url_kwarg="pk", allow_null=True
    )
    revision = serializers.IntegerField(
        source="current_revision.number",
        default=None,
        allow_null=True,
        help_text="The number of the notebook revision that runs.",
    )
    parameters = ParametersField()
    latest_run = RunReferenceSerializer(
        allow_null=True,
        help_text="The run most recently requested, served from the cache, "
        "joined or queued.",
    )
    latest_success = RunReferenceSerializer(
        allow_null=True,
        help_text="The newest successful run of the current revision.",
    )
    runs_url = ReversedUrlField("api:demo-runs")

    class Meta:
        model = Demo
        fields = [
            "id",
            "url",
            "title",
            "description",
            "paper",
            "summary",
            "summary_url",
            "resource_class",
            "approval",
            "revision",
            "cell_timeout",
            "run_timeout",
            "memory_limit_mb",
            "parameters",
            "latest_run",
            "latest_success",
            "runs_url",
            "created",
            "updated",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "summary": {
                "help_text": "The id of the summary the demo is shown with; "
                "null for a demo shown on the paper's page."
            },
        }


class MarkdownCellSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["markdown"])
    html = serializers.CharField(help_text="The cell rendered as sanitised HTML.")


class CodeCellSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["code"])
    number = serializers.IntegerField(
        allow_null=True,
        help_text="The position among the code cells that run, from 1; null "
        "for an empty cell, which is skipped.",
    )
    status = serializers.ChoiceField(choices=CELL_STATUSES)
    source = serializers.CharField(allow_blank=True)
    execution_count = serializers.IntegerField(required=False, allow_null=True)
    outputs_html = serializers.CharField(
        allow_blank=True,
        help_text="The cell's outputs as sanitised HTML; images link to files "
        "of the run.",
    )


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="DemoCell",
        serializers={"markdown": MarkdownCellSerializer, "code": CodeCellSerializer},
        resource_type_field_name="type",
        many=True,
    )
)
class CellsField(serializers.JSONField):
    """The notebook's Markdown and code cells, in order, as run."""


class PackageVersionsField(serializers.DictField):
    child = serializers.CharField(allow_null=True)


class EnvironmentSerializer(serializers.Serializer):
    """The provenance of a run: Python, package versions, host and device.

    Empty until the run has finished, and also empty for a run failed
    without a result, such as one whose worker was lost.
    """

    python = serializers.CharField(required=False)
    packages = PackageVersionsField(
        required=False, help_text="Versions of the main packages; null if missing."
    )
    resource_class = serializers.ChoiceField(
        choices=Demo.ResourceClass.choices, required=False
    )
    device = serializers.CharField(required=False, help_text="The CPU or GPU model.")
    host = serializers.CharField(required=False)
    platform = serializers.CharField(required=False)


@extend_schema_field(EnvironmentSerializer)
class EnvironmentField(serializers.JSONField):
    """A run's provenance, as stored in ``DemoRun.environment``."""


class RunSerializer(serializers.ModelSerializer):
    """A run: its state, progress, provenance, and outputs as sanitised HTML."""

    url = ReversedUrlField("api:demo-run-detail")
    demo = serializers.IntegerField(source="demo_id")
    demo_url = ReversedUrlField(
        "api:demo-detail", lookup_field="demo_id", url_kwarg="pk"
    )
    revision = serializers.IntegerField(
        source="revision.number", help_text="The number of the notebook revision run."
    )
    parameters = ParametersField()
    duration = serializers.FloatField(
        allow_null=True,
        help_text="Seconds from start to finish; null until the run has finished.",
    )
    environment = EnvironmentField()
    cells = CellsField(help_text="Empty until the run has finished.")

    class Meta:
        model = DemoRun
        fields = [
            "id",
            "url",
            "demo",
            "demo_url",
            "revision",
            "status",
            "queue",
            "resource_class",
            "parameters",
            "forced",
            "progress_cell",
            "cell_count",
            "failed_cell",
            "error",
            "environment",
            "output_truncated",
            "created",
            "started",
            "finished",
            "duration",
            "cells",
        ]
        read_only_fields = fields


class RunRequestSerializer(InputSerializer):
    force = serializers.BooleanField(
        default=False,
        help_text="Run again even if the outputs are cached; staff only.",
    )
    parameters = serializers.DictField(
        required=False,
        help_text="Values for the notebook's parameters in place of the demo's, "
        "by Python identifier; staff only.",
    )


class RunRequestResultSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=list(RUN_REQUEST_OUTCOMES),
        help_text=" ".join(
            f"`{name}`: {text}" for name, text in RUN_REQUEST_OUTCOMES.items()
        ),
    )
    run = RunSerializer()


class ApprovalSerializer(InputSerializer):
    approved = serializers.BooleanField(
        help_text="`true` approves the revision to run; `false` rejects the demo."
    )
    revision = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The number of the notebook revision the reviewer saw, as the "
        "demo's `revision` shows it. Required to approve. A revision other than "
        "the current one returns 409, so a notebook uploaded after the review "
        "is never approved.",
    )

    def validate(self, data):
        if data["approved"] and "revision" not in data:
            raise serializers.ValidationError(
                {"revision": "Approval needs the number of the revision reviewed."},
                code="required",
            )
        return data


class DemoFilter(django_filters.FilterSet):
    """The filters of the demo list; only these fields filter."""

    paper = django_filters.CharFilter(
        field_name="paper__bibtex_key",
        max_length=255,
        help_text="The BibTeX key of the paper the demo belongs to.",
    )

    class Meta:
        model = Demo
        fields = ["paper"]


class DemoList(ListAPIView):
    """List the demos the caller may see, newest first by default."""

    serializer_class = DemoSerializer
    filterset_class = DemoFilter
    ordering_choices = DEMO_ORDERINGS
    default_ordering = "-created"

    def get_queryset(self):
        return demo_listing(viewer=self.request.user)


class DemoDetail(RetrieveAPIView):
    """Show a demo."""

    serializer_class = DemoSerializer

    def get_queryset(self):
        return Demo.objects.none()

    def get_object(self):
        return get_demo_or_404(self.kwargs["pk"], viewer=self.request.user)


class DemoRunRequest(GenericAPIView):
    """Request a run of a demo: from the cache, joining one in progress, or queued."""

    serializer_class = RunRequestSerializer

    def get_queryset(self):
        return Demo.objects.none()

    @extend_schema(
        summary="Request a run of a demo",
        description="Members may run approved demos. `force` and `parameters` "
        "are for staff. The response's `run` is the run to poll at its `url`.",
        request=RunRequestSerializer,
        responses={
            200: OpenApiResponse(
                RunRequestResultSerializer,
                description="Served from the cache; `run` has the outputs.",
            ),
            202: OpenApiResponse(
                RunRequestResultSerializer,
                description="Queued, or joined a run in progress; poll `run.url`.",
            ),
            503: OpenApiResponse(
                description="The new run could not be sent to the worker queue "
                "and is marked failed; try again later."
            ),
        },
    )
    def post(self, request, pk):
        try:
            demo = get_visible_demo(pk=pk, viewer=request.user)
        except Demo.DoesNotExist:
            raise NotFound("Demo not found.") from None
        data = RunRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.request_run(
            demo=demo,
            user=request.user,
            force=data.validated_data["force"],
            parameters=data.validated_data.get("parameters"),
        )
        body = RunRequestResultSerializer(
            {"outcome": result.outcome, "run": result.run},
            context=self.get_serializer_context(),
        ).data
        url = reverse(
            "api:demo-run-detail", kwargs={"pk": result.run.pk}, request=request
        )
        if result.outcome == "cached":
            return Response(body, headers={"Content-Location": url})
        return Response(
            body, status=status.HTTP_202_ACCEPTED, headers={"Location": url}
        )


class DemoApproval(GenericAPIView):
    """Approve the revision of a demo that staff reviewed, or reject the demo."""

    serializer_class = ApprovalSerializer

    def get_queryset(self):
        return Demo.objects.none()

    @extend_schema(
        summary="Approve or reject a demo",
        description="Staff only. Send the `revision` you reviewed: approval of "
        "any other revision is rejected.",
        request=ApprovalSerializer,
        responses={
            200: DemoSerializer,
            409: OpenApiResponse(
                description="`revision` is not the demo's current revision, or the "
                "demo has no notebook; `message` names the current revision."
            ),
        },
    )
    def post(self, request, pk):
        try:
            demo = get_visible_demo(pk=pk, viewer=request.user)
        except Demo.DoesNotExist:
            raise NotFound("Demo not found.") from None
        data = ApprovalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.set_approval(
            demo=demo,
            user=request.user,
            approved=data.validated_data["approved"],
            revision=data.validated_data.get("revision"),
        )
        demo = get_demo_or_404(pk, viewer=request.user)
        return Response(
            DemoSerializer(demo, context=self.get_serializer_context()).data
        )


class RunDetail(RetrieveAPIView):
    """Show a run's status, progress, provenance and outputs."""

    serializer_class = RunSerializer

    def get_queryset(self):
        return DemoRun.objects.none()

    def get_object(self):
        run = get_run_or_404(self.kwargs["pk"], viewer=self.request.user)
        if run.status == DemoRun.Status.RUNNING:
            # A run still marked running past its deadline has lost its
            # worker. Failing it here lets a client that polls it see it end.
            services.sweep_stale_runs(cache_key=run.cache_key)
            run.refresh_from_db(fields=["status", "error", "finished"])
        return run
