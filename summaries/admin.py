from django.contrib import admin

from shortscience import pagecache

from .models import Summary, SummaryRevision, Vote


class RevisionInline(admin.TabularInline):
    model = SummaryRevision
    extra = 0
    fields = ("number", "editor", "created")
    readonly_fields = fields
    can_delete = False
    show_change_link = False


@admin.register(Summary)
class SummaryAdmin(admin.ModelAdmin):
    """Moderation view: find summaries, hide them (private) or delete them.

    Text edits go through the site's editor so that a revision is recorded.
    """

    list_display = ("pk", "paper", "author", "score", "private", "anonymous", "created")
    list_filter = ("private", "anonymous")
    search_fields = ("paper__title", "paper__bibtex_key", "author__username")
    readonly_fields = (
        "paper",
        "author",
        "source",
        "score",
        "version",
        "created",
        "updated",
    )
    fields = (
        "paper",
        "author",
        "private",
        "anonymous",
        "source",
        "score",
        "version",
        "created",
        "updated",
    )
    inlines = [RevisionInline]
    list_select_related = ("paper", "author")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        pagecache.invalidate_summary(obj, listings=True)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pagecache.invalidate(pagecache.SITE)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        pagecache.invalidate(pagecache.SITE)


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ("summary", "user", "value", "created")
    raw_id_fields = ("summary", "user")
    list_select_related = ("summary__paper", "user")
