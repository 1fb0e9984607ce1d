"""The demo admin: approval through the change form names the revision reviewed."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from demos import services
from demos.models import Demo
from demos.tests.factories import DemoFactory, make_notebook

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def change_form_data(demo, **changes) -> dict:
    """Return the change form's fields as the admin page sends them."""
    data = {
        "paper": demo.paper_id,
        "summary": "",
        "owner": demo.owner_id or "",
        "title": demo.title,
        "description": demo.description,
        "resource_class": demo.resource_class,
        "cell_timeout": demo.cell_timeout,
        "run_timeout": demo.run_timeout,
        "memory_limit_mb": demo.memory_limit_mb,
        "parameters": "{}",
        "approval": demo.approval,
        "reviewed_revision": demo.current_revision.number,
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
        "revisions-MIN_NUM_FORMS": "0",
        "revisions-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def change_url(demo) -> str:
    return reverse("admin:demos_demo_change", args=[demo.pk])


def test_change_form_shows_revision(admin_client):
    demo = DemoFactory(approval=Demo.Approval.PENDING)
    page = admin_client.get(change_url(demo)).content.decode()
    assert 'name="reviewed_revision" value="1"' in page


def test_admin_approves_reviewed_revision(admin_client):
    demo = DemoFactory(approval=Demo.Approval.PENDING)
    data = change_form_data(demo, approval=Demo.Approval.APPROVED)
    response = admin_client.post(change_url(demo), data)
    demo.refresh_from_db()
    assert response.status_code == 302
    assert demo.approval == Demo.Approval.APPROVED
    assert demo.approved_at is not None


def test_admin_rejects_superseded_revision(admin_client):
    demo = DemoFactory(approval=Demo.Approval.PENDING)
    data = change_form_data(demo, approval=Demo.Approval.APPROVED)
    services.revise_notebook(demo=demo, user=demo.owner, notebook=make_notebook("2"))
    response = admin_client.post(change_url(demo), data)
    demo.refresh_from_db()
    assert response.status_code == 200
    assert "revision 2" in response.content.decode()
    assert demo.approval == Demo.Approval.PENDING


def test_admin_edit_keeps_new_revision_pending(admin_client):
    """A form opened on an approved demo must not approve a later upload."""
    demo = DemoFactory()
    data = change_form_data(demo, title="Renamed")
    services.revise_notebook(demo=demo, user=demo.owner, notebook=make_notebook("2"))
    admin_client.post(change_url(demo), data)
    demo.refresh_from_db()
    assert demo.approval == Demo.Approval.PENDING
    assert demo.title != "Renamed"


def test_admin_has_no_bulk_approval(admin_client):
    demo = DemoFactory(approval=Demo.Approval.PENDING)
    response = admin_client.post(
        reverse("admin:demos_demo_changelist"),
        {"action": "approve", "_selected_action": [demo.pk]},
    )
    demo.refresh_from_db()
    assert response.status_code in {200, 302}
    assert demo.approval == Demo.Approval.PENDING
