"""REST endpoints for demos: list them, request a run, read a run.

- ``GET  /api/v1/demos/`` lists the demos the client may see, newest first,
  with cursor pagination; ``?paper=<bibtex key>`` keeps one paper's.
- ``GET  /api/v1/demos/<id>/`` returns one demo.
- ``POST /api/v1/demos/<id>/runs/`` requests a run (members; ``force`` and
  ``parameters`` for staff): 200 with the cached run, 202 with a queued or
  joined one.
- ``GET  /api/v1/demos/runs/<id>/`` returns a run's status, progress,
  provenance and its outputs as sanitised HTML.

Errors are ``{"error": {"code", "message", "field"}}`` with the status of
the code.
"""

from rest_framework import generics, permissions, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from papers.models import Paper
from shortscience.exceptions import ServiceError

from . import services
from .models import Demo, DemoRun
from .selectors import demo_listing, get_visible_demo, get_visible_run


def error_response(error: ServiceError) -> Response:
    body = {"code": error.code, "message": error.message, "field": error.field}
    return Response({"error": body}, status=error.status)


def not_found(what: str) -> Response:
    return error_response(ServiceError(f"No such {what}.", code="not_found"))


class RunSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = DemoRun
        fields = ["id", "status", "progress_cell", "cell_count", "created", "finished"]


class DemoSerializer(serializers.ModelSerializer):
    paper = serializers.CharField(source="paper.bibtex_key")
    revision = serializers.IntegerField(source="current_revision.number", default=None)
    latest_run = RunSummarySerializer()
    latest_success = RunSummarySerializer()

    class Meta:
        model = Demo
        fields = [
            "id",
            "title",
            "description",
            "paper",
            "summary",
            "resource_class",
            "approval",
            "revision",
            "cell_timeout",
            "run_timeout",
            "memory_limit_mb",
            "parameters",
            "latest_run",
            "latest_success",
        ]


class RunSerializer(serializers.ModelSerializer):
    demo = serializers.IntegerField(source="demo_id")
    revision = serializers.IntegerField(source="revision.number")
    duration = serializers.FloatField()

    class Meta:
        model = DemoRun
        fields = [
            "id",
            "demo",
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


class RunRequestSerializer(serializers.Serializer):
    force = serializers.BooleanField(default=False)
    parameters = serializers.DictField(required=False)


class DemoCursorPagination(CursorPagination):
    page_size = 20
    ordering = ("-created", "-pk")


class DemoList(generics.ListAPIView):
    renderer_classes = [JSONRenderer]
    serializer_class = DemoSerializer
    pagination_class = DemoCursorPagination

    def get_queryset(self):
        paper = None
        key = self.request.query_params.get("paper")
        if key is not None:
            paper = Paper.objects.filter(bibtex_key=key).first()
            if paper is None:
                return Demo.objects.none()
        return demo_listing(viewer=self.request.user, paper=paper)


class DemoDetail(APIView):
    renderer_classes = [JSONRenderer]

    def get(self, request, pk):
        try:
            demo = get_visible_demo(pk=pk, viewer=request.user)
        except Demo.DoesNotExist:
            return not_found("demo")
        return Response(DemoSerializer(demo).data)


class DemoRuns(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [permissions.IsAuthenticated]

    def post(self, request, pk):
        try:
            demo = get_visible_demo(pk=pk, viewer=request.user)
        except Demo.DoesNotExist:
            return not_found("demo")
        payload = RunRequestSerializer(data=request.data)
        if not payload.is_valid():
            field, messages = next(iter(payload.errors.items()))
            return error_response(ServiceError(str(messages[0]), field=field))
        try:
            result = services.request_run(
                demo=demo,
                user=request.user,
                force=payload.validated_data["force"],
                parameters=payload.validated_data.get("parameters"),
            )
        except ServiceError as error:
            return error_response(error)
        code = (
            status.HTTP_200_OK
            if result.outcome == "cached"
            else status.HTTP_202_ACCEPTED
        )
        body = {"outcome": result.outcome, "run": RunSerializer(result.run).data}
        return Response(body, status=code)


class RunDetail(APIView):
    renderer_classes = [JSONRenderer]

    def get(self, request, pk):
        try:
            run = get_visible_run(pk=pk, viewer=request.user)
        except DemoRun.DoesNotExist:
            return not_found("run")
        if run.status == DemoRun.Status.RUNNING:
            services.sweep_stale_runs(cache_key=run.cache_key)
            run.refresh_from_db()
        return Response(RunSerializer(run).data)
