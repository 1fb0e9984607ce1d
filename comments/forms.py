from django import forms
from django.conf import settings


class CommentForm(forms.Form):
    """A new comment or a reply (``parent`` set), or an edit of one."""

    source = forms.CharField(
        label="Comment",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Markdown with LaTeX math. "
            f"At most {settings.COMMENT_MAX_BYTES // 1024} KB."
        ),
    )
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)
