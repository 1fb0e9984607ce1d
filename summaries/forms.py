from django import forms
from django.conf import settings

from .models import Summary


class SummaryForm(forms.ModelForm):
    """The summary editor: Markdown source and the two visibility choices.

    ``base_version`` carries the revision the editor started from, so that a
    save over someone else's newer save is caught as a conflict.
    """

    source = forms.CharField(
        label="Summary",
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 20,
                "class": "editor-source",
                "data-preview-target": "summary-preview",
                "spellcheck": "true",
            }
        ),
        help_text=(
            "Markdown with LaTeX math: $x^2$ inline, $$\\sum_i x_i$$ or \\[...\\] "
            "for display, \\cite{bibtex-key} to link a paper. At most "
            f"{settings.SUMMARY_MAX_BYTES // 1024} KB."
        ),
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Summary
        fields = ["source", "private", "anonymous"]
        labels = {
            "private": "Private (only you can see it)",
            "anonymous": "Anonymous (your name is not shown)",
        }


class VoteForm(forms.Form):
    """A vote button: +1, -1, or 0 to remove the vote."""

    value = forms.TypedChoiceField(
        choices=[("1", "+1"), ("-1", "-1"), ("0", "remove")], coerce=int
    )
