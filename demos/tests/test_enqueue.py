"""Run requests when the broker cannot be reached.

The broker URL points at a local port that has a bound socket but no
listener, so every connection is refused at once. Each test commits for
real, so ``transaction.on_commit`` sends the run as it does in a request.
"""

import contextlib
import logging
import socket

import pytest
import yaml
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.tests.factories import UserFactory
from demos import services
from demos.models import DemoRun
from demos.tests.brokers import using_broker
from demos.tests.factories import DemoFactory
from shortscience.exceptions import ServiceError

pytestmark = pytest.mark.django_db(transaction=True)

# One quick retry: enough to take the retry path, short enough for a test.
FAST_RETRY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.1,
}


@contextlib.contextmanager
def unreachable_broker():
    """Point Celery at a closed port of 127.0.0.1 while the block runs."""
    with socket.socket() as closed:
        # Bound but not listening: the port stays ours, and connecting to
        # it is refused.
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        with using_broker(
            f"redis://127.0.0.1:{port}/0",
            task_publish_retry_policy=FAST_RETRY,
            broker_connection_timeout=1,
        ):
            yield


def request_without_broker(demo, user):
    with unreachable_broker(), pytest.raises(ServiceError) as caught:
        services.request_run(demo=demo, user=user)
    return caught.value


def test_unsent_run_is_failed():
    demo = DemoFactory()
    request_without_broker(demo, UserFactory())
    run = DemoRun.objects.get(demo=demo)
    assert run.status == DemoRun.Status.FAILED
    assert "could not be sent to the worker queue" in run.error
    assert run.finished is not None


def test_unsent_run_error_is_unavailable():
    error = request_without_broker(DemoFactory(), UserFactory())
    assert error.code == "unavailable"
    assert "Try again" in error.message


def test_unsent_run_is_logged(caplog):
    demo = DemoFactory()
    with caplog.at_level(logging.ERROR, logger="demos.services"):
        request_without_broker(demo, UserFactory())
    run = DemoRun.objects.get(demo=demo)
    assert f"run_id={run.pk}" in caplog.text


def test_next_request_queues_fresh_run():
    demo = DemoFactory()
    request_without_broker(demo, UserFactory())
    failed = DemoRun.objects.get(demo=demo)
    again = services.request_run(demo=demo, user=UserFactory())
    assert again.outcome == "queued"
    assert again.run != failed
    assert again.run.status == DemoRun.Status.QUEUED


def test_page_shows_send_failure(client):
    demo = DemoFactory()
    client.force_login(UserFactory())
    with unreachable_broker():
        response = client.post(reverse("demos:run", args=[demo.pk]))
    notices = [str(message) for message in get_messages(response.wsgi_request)]
    assert response.status_code == 302
    assert any("could not be sent to the worker queue" in text for text in notices)


def test_page_shows_failed_run(client):
    demo = DemoFactory()
    client.force_login(UserFactory())
    with unreachable_broker():
        client.post(reverse("demos:run", args=[demo.pk]))
    page = client.get(demo.paper.get_absolute_url()).content.decode()
    assert "could not be sent to the worker queue" in page
    assert "Run this notebook" in page


def test_api_send_failure_is_503(token_client):
    demo = DemoFactory()
    with unreachable_broker():
        response = token_client.post(f"/api/v1/demos/{demo.pk}/runs/", format="json")
    body = response.json()
    assert response.status_code == 503
    assert body["code"] == "unavailable"
    assert "could not be sent to the worker queue" in body["message"]


def test_schema_documents_503(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    responses = schema["paths"]["/api/v1/demos/{id}/runs/"]["post"]["responses"]
    content = responses["503"]["content"]["application/json"]
    assert content["schema"] == {"$ref": "#/components/schemas/Error"}
