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
    base_version = forms.IntegerField(
        # A restored browser draft puts back the revision it started from
        # (static/js/drafts.js), so that saving it over a newer revision is
        # caught as a conflict too.
        widget=forms.HiddenInput(attrs={"data-draft-base": True}),
        required=False,
        min_value=1,
        error_messages={"min_value": "The revision you started from is invalid."},
    )

    def __init__(self, *args, require_base_version: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if require_base_version:
            # An edit must say which revision it started from, so that a
            # newer save is never overwritten silently.
            self.fields["base_version"].required = True
            self.fields["base_version"].error_messages["required"] = (
                "The edit does not say which revision it started from; reload "
                "the page, copy your text over and save again."
            )

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
