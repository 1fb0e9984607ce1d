from django.contrib import admin

from . import services
from .models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("pk", "summary", "author", "created", "deleted")
    list_filter = (("deleted", admin.EmptyFieldListFilter),)
    search_fields = ("source", "author__username")
    readonly_fields = (
        "summary",
        "author",
        "parent",
        "source",
        "created",
        "edited",
        "deleted",
    )
    list_select_related = ("summary__paper", "author")
    actions = ["soft_delete"]

    @admin.action(description="Delete the selected comments (keep thread shape)")
    def soft_delete(self, request, queryset):
        comments = list(queryset.filter(deleted__isnull=True))
        for comment in comments:
            services.delete_comment(comment=comment, user=request.user)
        self.message_user(request, f"{len(comments)} comment(s) deleted.")
