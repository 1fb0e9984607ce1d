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
    # The revision current when the form was opened: the one a reviewer saw.
    reviewed_revision = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.current_revision if self.instance.pk else None
        if current is not None:
            self.fields["reviewed_revision"].initial = current.number

    def clean(self):
        """Reject an approval when a revision was uploaded after the form opened.

        The form's ``approval`` is what it showed when opened, so saving a
        form opened on an approved demo approves the latest upload too.
        """
        cleaned = super().clean()
        if cleaned.get("approval") != Demo.Approval.APPROVED or not self.instance.pk:
            return cleaned
        current = (
            Demo.objects.filter(pk=self.instance.pk)
            .values_list("current_revision__number", flat=True)
            .first()
        )
        reviewed = cleaned.get("reviewed_revision")
        if current is not None and reviewed != current:
            opened_on = f"revision {reviewed}" if reviewed else "no notebook"
            raise forms.ValidationError(
                f"Revision {current} of the notebook was uploaded after this page "
                f"was opened on {opened_on}. Reload the page, review revision "
                f"{current}, then approve it.",
                code="conflict",
            )
        return cleaned


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
    # No bulk approval: it cannot know which revision of each demo was
    # reviewed. Approve from a demo's page or its change form.
    actions = ["reject"]

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
