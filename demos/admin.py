from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from shortscience.exceptions import ServiceError

from . import services
from .models import Demo, DemoRevision, DemoRun


class DemoAdminForm(forms.ModelForm):
    notebook_file = forms.FileField(
        required=False,
        help_text="Upload a .ipynb to store it as the demo's next revision.",
    )

    class Meta:
        model = Demo
        fields = [
            "paper",
            "summary",
            "owner",
            "title",
            "description",
            "resource_class",
            "cell_timeout",
            "run_timeout",
            "memory_limit_mb",
            "parameters",
            "approval",
        ]


class DemoRevisionInline(admin.TabularInline):
    model = DemoRevision
    extra = 0
    fields = ("number", "sha256", "created_by", "created")
    readonly_fields = fields
    can_delete = False
    show_change_link = False


@admin.register(Demo)
class DemoAdmin(admin.ModelAdmin):
    form = DemoAdminForm
    list_display = ("title", "paper", "resource_class", "approval", "owner", "created")
    list_filter = ("approval", "resource_class")
    search_fields = ("title", "paper__bibtex_key", "paper__title")
    raw_id_fields = ("paper", "summary", "owner", "approved_by")
    readonly_fields = ("approved_by", "approved_at", "created", "updated")
    inlines = [DemoRevisionInline]
    actions = ["approve", "reject"]

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data.get("notebook_file")
        if obj.approval == Demo.Approval.APPROVED and not obj.approved_at:
            obj.approved_by = request.user
            obj.approved_at = timezone.now()
        super().save_model(request, obj, form, change)
        if upload is None:
            if obj.current_revision_id is None:
                messages.warning(request, "Upload a notebook: this demo has none yet.")
            return
        try:
            services.revise_notebook(
                demo=obj, user=request.user, notebook=upload.read()
            )
        except ServiceError as error:
            messages.error(request, error.message)

    @admin.action(description="Approve the selected demos to run")
    def approve(self, request, queryset):
        for demo in queryset:
            services.set_approval(demo=demo, user=request.user, approved=True)

    @admin.action(description="Reject the selected demos")
    def reject(self, request, queryset):
        for demo in queryset:
            services.set_approval(demo=demo, user=request.user, approved=False)


@admin.register(DemoRun)
class DemoRunAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "demo",
        "status",
        "queue",
        "progress_cell",
        "created",
        "finished",
    )
    list_filter = ("status", "queue")
    raw_id_fields = ("demo", "revision", "requested_by")
    exclude = ("cells",)
    readonly_fields = [
        field.name for field in DemoRun._meta.fields if field.name != "cells"
    ]

    def has_add_permission(self, request):
        return False
