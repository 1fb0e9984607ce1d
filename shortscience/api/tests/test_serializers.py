"""Shared serializer fields."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from rest_framework import serializers

from shortscience.api.serializers import ReversedUrlField


class Row:
    def __init__(self, value):
        self.bibtex_key = value
        self.pk = value


class LinkSerializer(serializers.Serializer):
    api = ReversedUrlField("api:paper-detail", lookup_field="bibtex_key")
    page = ReversedUrlField("papers:detail", lookup_field="bibtex_key")
    vote = ReversedUrlField("api:summary-vote")


@pytest.mark.parametrize(
    "key",
    [
        "journals/jmlr/GlorotB10",
        "10.1000/0123-4567(99)00001-2",
        "Writer:2016:ABC:1234567.7654321",
        "a?b#c%d e+f",
        "Öresund/ünï",
        "0123456789/0123456789",
    ],
)
def test_reversed_url_matches_reverse(key):
    request = RequestFactory().get("/")

    links = LinkSerializer(Row(key), context={"request": request}).data

    kwargs = {"bibtex_key": key}
    api = request.build_absolute_uri(reverse("api:paper-detail", kwargs=kwargs))
    page = request.build_absolute_uri(reverse("papers:detail", kwargs=kwargs))
    assert links["api"] == api
    assert links["page"] == page


def test_reversed_url_without_request_is_path():
    links = LinkSerializer(Row(42)).data

    assert links["vote"] == "/api/v1/summaries/42/vote/"


class OptionalLinkSerializer(serializers.Serializer):
    summary = ReversedUrlField(
        "api:summary-detail", lookup_field="summary_id", url_kwarg="pk", allow_null=True
    )


class Reference:
    def __init__(self, summary_id):
        self.summary_id = summary_id


def test_reversed_url_null_for_unset_key():
    links = OptionalLinkSerializer(Reference(None)).data

    assert links["summary"] is None


def test_reversed_url_set_key_with_allow_null():
    links = OptionalLinkSerializer(Reference(7)).data

    assert links["summary"] == "/api/v1/summaries/7/"
