"""Demo notebooks attached to papers and summaries, their revisions and runs."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from summaries.models import Summary


class DemoQuerySet(models.QuerySet):
    """Demo queries; pages, the API and the run requests start from ``visible_to``."""

    def visible_to(self, user) -> "DemoQuerySet":
        """Keep the demos ``user`` may see: approved ones, their own, all for staff.

        A demo attached to a summary is visible only to those who may see
        the summary (``Summary.objects.visible_to``), staff included, so a
        demo on a private summary exists for the summary's author alone.
        """
        summaries = Summary.objects.visible_to(user)
        return self.approval_visible_to(user).filter(
            Q(summary__isnull=True) | Q(summary__in=summaries)
        )

    def approval_visible_to(self, user) -> "DemoQuerySet":
        """Keep the demos whose approval lets ``user`` see them, ignoring summaries.

        Only for callers that have already checked the summary a demo is
        attached to, such as a summary's own page.
        """
        if user is None or not user.is_authenticated:
            return self.filter(approval=Demo.Approval.APPROVED)
        if user.is_staff:
            return self
        return self.filter(Q(approval=Demo.Approval.APPROVED) | Q(owner=user))


class Demo(models.Model):
    """A Jupyter notebook that runs next to a paper, or to one summary of it."""

    class ResourceClass(models.TextChoices):
        CPU = "cpu", "CPU"
        GPU = "gpu", "GPU"

    class Approval(models.TextChoices):
        PENDING = "pending", "Awaiting approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    paper = models.ForeignKey(
        "papers.Paper", on_delete=models.CASCADE, related_name="demos"
    )
    summary = models.ForeignKey(
        "summaries.Summary",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="demos",
        help_text="Show the demo with this summary instead of on the paper page.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="demos",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    resource_class = models.CharField(
        max_length=3, choices=ResourceClass.choices, default=ResourceClass.CPU
    )
    cell_timeout = models.PositiveIntegerField(
        default=120, help_text="Seconds one cell may run before it is interrupted."
    )
    run_timeout = models.PositiveIntegerField(
        default=600, help_text="Seconds the whole notebook may run."
    )
    memory_limit_mb = models.PositiveIntegerField(
        "memory limit (MiB)",
        default=4096,
        help_text="Address space of the kernel process, in MiB.",
    )
    parameters = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            "Values assigned after the cell tagged 'parameters', as a JSON "
            'object such as {"size": "large"}.'
        ),
    )
    approval = models.CharField(
        max_length=8, choices=Approval.choices, default=Approval.PENDING
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    current_revision = models.ForeignKey(
        "DemoRevision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    latest_run = models.ForeignKey(
        "DemoRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The run most recently requested, served from cache or joined.",
    )
    latest_success = models.ForeignKey(
        "DemoRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The newest successful run of the current revision.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = DemoQuerySet.as_manager()

    class Meta:
        ordering = ["paper", "created"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_approved(self) -> bool:
        return self.approval == self.Approval.APPROVED

    @property
    def shown_run(self) -> "DemoRun | None":
        """The run whose outputs the page shows.

        That is the latest run once it has finished, even if it failed, so
        its error and partial output show; while it is queued or running,
        the latest successful run.
        """
        latest = self.latest_run
        if latest is not None and not latest.is_active:
            return latest
        return self.latest_success


class DemoRevision(models.Model):
    """One uploaded version of a demo's notebook; number 1 is the first."""

    demo = models.ForeignKey(Demo, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    notebook = models.TextField(help_text="The notebook as nbformat 4 JSON.")
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["demo", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["demo", "number"], name="demo_revision_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of demo #{self.demo_id}"


class DemoRun(models.Model):
    """One execution of a notebook revision, and the cache entry for its outputs.

    The cache key hashes what decides the outputs: the kernel, the code
    cells in order, the parameters and the environment. At most one run per
    key is queued or running at a time.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        TIMED_OUT = "timed_out", "Timed out"

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.TIMED_OUT)

    demo = models.ForeignKey(Demo, on_delete=models.CASCADE, related_name="runs")
    revision = models.ForeignKey(
        DemoRevision, on_delete=models.PROTECT, related_name="runs"
    )
    cache_key = models.CharField(max_length=64, db_index=True)
    parameters = models.JSONField(default=dict, blank=True)
    resource_class = models.CharField(max_length=3, choices=Demo.ResourceClass.choices)
    queue = models.CharField(max_length=100)
    cell_timeout = models.PositiveIntegerField()
    run_timeout = models.PositiveIntegerField()
    memory_limit_mb = models.PositiveIntegerField()
    forced = models.BooleanField(
        default=False, help_text="Requested by staff to run again past the cache."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        max_length=9, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress_cell = models.PositiveIntegerField(
        default=0, help_text="Number of the code cell running or last run."
    )
    cell_count = models.PositiveIntegerField(default=0, help_text="Code cells to run.")
    failed_cell = models.PositiveIntegerField(
        null=True, blank=True, help_text="Number of the code cell that failed."
    )
    error = models.TextField(blank=True)
    environment = models.JSONField(default=dict, blank=True)
    cells = models.JSONField(
        default=list,
        blank=True,
        help_text="Each cell's source, status and outputs rendered as safe HTML.",
    )
    output_truncated = models.BooleanField(default=False)
    worker = models.CharField(
        max_length=255, blank=True, help_text="host:pid of the process running it."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(
        null=True,
        blank=True,
        help_text="After this a run still marked running has lost its worker.",
    )

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["cache_key"],
                condition=Q(status__in=["queued", "running"]),
                name="demo_run_one_active_per_cache_key",
            ),
        ]

    def __str__(self) -> str:
        return f"Run #{self.pk} of demo #{self.demo_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def duration(self) -> float | None:
        """Seconds from start to finish, or None before the run has finished."""
        if self.started is None or self.finished is None:
            return None
        return (self.finished - self.started).total_seconds()
