from django import forms
from django.conf import settings

from .models import Demo


class DemoForm(forms.Form):
    """Attach a notebook to a paper: it runs once staff approve it."""

    title = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    notebook = forms.FileField(
        help_text=(
            "A Jupyter notebook (.ipynb) for Python, at most "
            f"{settings.DEMOS_NOTEBOOK_MAX_BYTES // (1024 * 1024)} MiB; clear "
            "its outputs first."
        )
    )
    resource_class = forms.ChoiceField(
        choices=Demo.ResourceClass.choices, initial=Demo.ResourceClass.CPU
    )


class NotebookRevisionForm(forms.Form):
    """Upload a new version of a demo's notebook."""

    notebook = forms.FileField()
