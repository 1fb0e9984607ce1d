"""The API's index of top-level resources."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

ROOT_LINKS = {
    "papers": "api:paper-list",
    "search": "api:search",
    "summaries": "api:summary-list",
    "demos": "api:demo-list",
    "me": "api:me",
    "schema": "api:schema",
    "docs": "api:docs",
}


class ApiRoot(APIView):
    """List the addresses of the API's top-level resources and its docs."""

    @extend_schema(
        tags=["root"],
        responses=inline_serializer(
            "ApiRoot", {name: serializers.URLField() for name in ROOT_LINKS}
        ),
    )
    def get(self, request):
        return Response(
            {name: reverse(view, request=request) for name, view in ROOT_LINKS.items()}
        )
