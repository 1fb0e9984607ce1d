"""Run requests, the cache, claims, lost workers and the sweep."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from demos import services
from demos.models import Demo, DemoRun
from demos.tests.factories import DemoFactory, DemoRunFactory, make_notebook
from shortscience.exceptions import ServiceError

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """Record the runs sent to Celery instead of sending them."""
    runs = []
    monkeypatch.setattr(services, "enqueue_run", runs.append)
    return runs


def key_for(demo) -> str:
    return services.run_cache_key(demo, demo.parameters)


def test_request_queues_on_commit(sent, django_capture_on_commit_callbacks):
    demo = DemoFactory()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.request_run(demo=demo, user=UserFactory())
    assert result.outcome == "queued"
    assert sent == [result.run]


def test_request_not_sent_before_commit(sent, django_capture_on_commit_callbacks):
    demo = DemoFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.request_run(demo=demo, user=UserFactory())
    assert sent == []
    for callback in callbacks:
        callback()
    assert len(sent) == 1


def test_request_uses_queue_of_class(sent, settings):
    settings.DEMOS_QUEUES = {"cpu": "x-demos-cpu", "gpu": "x-demos-gpu"}
    demo = DemoFactory(resource_class="gpu")
    run = services.request_run(demo=demo, user=UserFactory()).run
    assert run.queue == "x-demos-gpu"


def test_request_joins_active_run(sent):
    demo = DemoFactory()
    first = services.request_run(demo=demo, user=UserFactory()).run
    second = services.request_run(demo=demo, user=UserFactory())
    assert second.outcome == "joined"
    assert second.run == first


def test_request_served_from_cache(sent):
    demo = DemoFactory()
    done = DemoRunFactory(
        demo=demo, cache_key=key_for(demo), status=DemoRun.Status.SUCCEEDED
    )
    result = services.request_run(demo=demo, user=UserFactory())
    assert result.outcome == "cached"
    assert result.run == done


def test_cache_shared_by_resaved_notebook(sent):
    demo = DemoFactory(notebook=make_notebook("print(1)"))
    done = DemoRunFactory(
        demo=demo, cache_key=key_for(demo), status=DemoRun.Status.SUCCEEDED
    )
    staff = UserFactory(is_staff=True)
    services.revise_notebook(
        demo=demo, user=staff, notebook=make_notebook("print(1)", markdown="# New")
    )
    assert services.request_run(demo=demo, user=staff).run == done


def test_failed_run_not_served_from_cache(sent):
    demo = DemoFactory()
    DemoRunFactory(demo=demo, cache_key=key_for(demo), status=DemoRun.Status.FAILED)
    assert services.request_run(demo=demo, user=UserFactory()).outcome == "queued"


def test_force_bypasses_cache(sent):
    demo = DemoFactory()
    DemoRunFactory(demo=demo, cache_key=key_for(demo), status=DemoRun.Status.SUCCEEDED)
    result = services.request_run(
        demo=demo, user=UserFactory(is_staff=True), force=True
    )
    assert result.outcome == "queued"
    assert result.run.forced


def test_force_needs_staff(sent):
    with pytest.raises(ServiceError) as caught:
        services.request_run(demo=DemoFactory(), user=UserFactory(), force=True)
    assert caught.value.code == "forbidden"


def test_parameters_need_staff(sent):
    with pytest.raises(ServiceError):
        services.request_run(
            demo=DemoFactory(), user=UserFactory(), parameters={"size": "large"}
        )


def test_unapproved_demo_does_not_run(sent):
    demo = DemoFactory(approval=Demo.Approval.PENDING)
    with pytest.raises(ServiceError, match="not been approved"):
        services.request_run(demo=demo, user=UserFactory(is_staff=True))


def test_anonymous_cannot_request(sent):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(ServiceError, match="Log in"):
        services.request_run(demo=DemoFactory(), user=AnonymousUser())


def test_revision_by_owner_needs_approval_again():
    demo = DemoFactory()
    services.revise_notebook(demo=demo, user=demo.owner, notebook=make_notebook("2"))
    demo.refresh_from_db()
    assert demo.approval == Demo.Approval.PENDING
    assert demo.current_revision.number == 2


def test_revision_by_stranger_rejected():
    with pytest.raises(ServiceError):
        services.revise_notebook(
            demo=DemoFactory(), user=UserFactory(), notebook=make_notebook("2")
        )


def test_revision_by_owner_withdraws_approval():
    demo = DemoFactory()
    services.revise_notebook(demo=demo, user=demo.owner, notebook=make_notebook("2"))
    demo.refresh_from_db()
    assert demo.approved_by is None
    assert demo.approved_at is None


def test_approval_needs_staff():
    with pytest.raises(ServiceError):
        services.set_approval(
            demo=DemoFactory(), user=UserFactory(), approved=True, revision=1
        )


def test_approval_of_reviewed_revision():
    demo = DemoFactory(approval=Demo.Approval.PENDING)
    staff = UserFactory(is_staff=True)
    services.set_approval(demo=demo, user=staff, approved=True, revision=1)
    demo.refresh_from_db()
    assert demo.approval == Demo.Approval.APPROVED
    assert demo.approved_by == staff


def test_approval_of_superseded_revision_rejected():
    demo = DemoFactory(approval=Demo.Approval.PENDING)
    stale = Demo.objects.get(pk=demo.pk)
    services.revise_notebook(demo=demo, user=demo.owner, notebook=make_notebook("2"))
    with pytest.raises(ServiceError) as caught:
        services.set_approval(
            demo=stale, user=UserFactory(is_staff=True), approved=True, revision=1
        )
    assert caught.value.code == "conflict"
    assert "revision 2" in caught.value.message
    assert Demo.objects.get(pk=demo.pk).approval == Demo.Approval.PENDING


def test_approval_needs_revision():
    demo = DemoFactory(approval=Demo.Approval.PENDING)
    with pytest.raises(ServiceError) as caught:
        services.set_approval(demo=demo, user=UserFactory(is_staff=True), approved=True)
    assert caught.value.field == "revision"
    assert Demo.objects.get(pk=demo.pk).approval == Demo.Approval.PENDING


def test_rejection_needs_no_revision():
    demo = DemoFactory()
    services.set_approval(demo=demo, user=UserFactory(is_staff=True), approved=False)
    assert Demo.objects.get(pk=demo.pk).approval == Demo.Approval.REJECTED


def test_create_demo_pending():
    owner = UserFactory()
    demo = DemoFactory.build().paper
    demo.save()
    created = services.create_demo(
        paper=demo, owner=owner, title="T", notebook=make_notebook("1")
    )
    assert created.approval == Demo.Approval.PENDING
    assert created.current_revision.number == 1


def test_claim_is_once():
    run = DemoRunFactory()
    assert services.claim_run(run.pk) is not None
    assert services.claim_run(run.pk) is None


def test_claim_fails_run_of_dead_worker():
    run = DemoRunFactory(
        status=DemoRun.Status.RUNNING,
        worker=f"{services.socket.gethostname()}:999999999",
    )
    assert services.claim_run(run.pk) is None
    run.refresh_from_db()
    assert run.status == DemoRun.Status.FAILED
    assert "worker stopped" in run.error


def test_claim_leaves_live_run_alone():
    run = DemoRunFactory(status=DemoRun.Status.RUNNING, worker=services.worker_name())
    assert services.claim_run(run.pk) is None
    run.refresh_from_db()
    assert run.status == DemoRun.Status.RUNNING


def test_sweep_fails_overdue_runs():
    late = DemoRunFactory(
        status=DemoRun.Status.RUNNING, deadline=timezone.now() - timedelta(seconds=1)
    )
    assert services.sweep_stale_runs() == 1
    late.refresh_from_db()
    assert late.status == DemoRun.Status.FAILED


def test_sweep_keeps_runs_in_time_and_queued():
    DemoRunFactory(
        status=DemoRun.Status.RUNNING, deadline=timezone.now() + timedelta(minutes=5)
    )
    DemoRunFactory(
        status=DemoRun.Status.QUEUED, created=timezone.now() - timedelta(days=1)
    )
    assert services.sweep_stale_runs() == 0


def test_request_replaces_stale_run(sent):
    demo = DemoFactory()
    stale = DemoRunFactory(
        demo=demo,
        cache_key=key_for(demo),
        status=DemoRun.Status.RUNNING,
        deadline=timezone.now() - timedelta(seconds=1),
    )
    result = services.request_run(demo=demo, user=UserFactory())
    assert result.outcome == "queued"
    assert result.run != stale


def test_execute_run_twice_runs_once(sent):
    demo = DemoFactory(notebook=make_notebook("print('hi')"))
    run = services.request_run(demo=demo, user=UserFactory()).run
    services.execute_run(run.pk)
    assert services.execute_run(run.pk) is None
    run.refresh_from_db()
    assert run.status == DemoRun.Status.SUCCEEDED
    assert run.progress_cell == 1
    assert run.environment["device"].startswith("CPU")
    demo.refresh_from_db()
    assert demo.latest_success == run


def test_execute_untrusted_outputs_end_to_end(sent):
    """Untrusted outputs through a real kernel reach the page inert."""
    notebook = make_notebook(
        "from IPython.display import HTML, Javascript, SVG, display\n"
        'display(HTML(\'<div><img src="nope" onerror="console.log(7)"></div>\'))\n'
        "display(Javascript('console.log(7)'))\n"
        'display(SVG(\'<svg xmlns="http://www.w3.org/2000/svg">'
        "<script>console.log(7)</script></svg>'))",
        markdown="Hello <script>console.log(7)</script>",
    )
    demo = DemoFactory(notebook=notebook)
    run = services.request_run(demo=demo, user=UserFactory()).run
    services.execute_run(run.pk)
    run.refresh_from_db()
    page = run.cells[0]["html"] + run.cells[1]["outputs_html"]
    assert "onerror" not in page
    assert "<script" not in page
    assert "console.log(7)" not in page.replace("&lt;script&gt;console.log(7)", "")
    assert ".svg" in page


def test_failed_run_stores_outputs(sent):
    notebook = make_notebook("print('one')", "raise ValueError('bad')", "print(3)")
    demo = DemoFactory(notebook=notebook)
    run = services.request_run(demo=demo, user=UserFactory()).run
    services.execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == DemoRun.Status.FAILED
    assert run.failed_cell == 2
    assert run.progress_cell == 2
    assert run.cell_count == 3
    assert [cell["status"] for cell in run.cells] == ["ok", "error", "not_run"]
    assert "one" in run.cells[0]["outputs_html"]
    assert "ValueError" in run.cells[1]["outputs_html"]


def test_fail_run_marks_timed_out():
    run = DemoRunFactory(status=DemoRun.Status.RUNNING, progress_cell=2)
    services.fail_run(run.pk, status=DemoRun.Status.TIMED_OUT, error="late")
    run.refresh_from_db()
    assert run.status == DemoRun.Status.TIMED_OUT
    assert run.failed_cell == 2


def test_worker_name_has_pid():
    assert services.worker_name().endswith(f":{os.getpid()}")


def test_nul_in_outputs_is_stored(sent):
    """PostgreSQL's jsonb stores no NUL character, which a notebook may print."""
    notebook = make_notebook(
        "print('a\\x00b')",
        "raise ValueError('c\\x00d')",
        markdown="text with \x00 a NUL",
    )
    demo = DemoFactory(notebook=notebook)
    run = services.request_run(demo=demo, user=UserFactory()).run
    services.execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == DemoRun.Status.FAILED
    assert run.failed_cell == 2
    assert "a\ufffdb" in run.cells[1]["outputs_html"]
    assert "\x00" not in str(run.cells)
    assert "\x00" not in run.error
