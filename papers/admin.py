from django.contrib import admin

from search.services import index_papers
from shortscience import pagecache

from .models import Author, Authorship, Paper


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    extra = 0
    autocomplete_fields = ["author"]
    ordering = ["position"]


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ("bibtex_key", "title", "year", "venue")
    list_filter = ("year",)
    search_fields = ("bibtex_key", "title", "arxiv_id", "doi")
    inlines = [AuthorshipInline]
    readonly_fields = ("created", "updated")
    raw_id_fields = ("submitted_by",)

    def save_related(self, request, form, formsets, change):
        # After the inlines, so that the indexed author list is the new one.
        super().save_related(request, form, formsets, change)
        index_papers([form.instance.pk])
        pagecache.invalidate(pagecache.CATALOG, pagecache.FEED)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pagecache.invalidate(pagecache.SITE)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        pagecache.invalidate(pagecache.SITE)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "last", "first")
    search_fields = ("name",)
