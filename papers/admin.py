from django.contrib import admin

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


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "last", "first")
    search_fields = ("name",)
