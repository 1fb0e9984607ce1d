from django import forms
from django.contrib.auth.forms import UserCreationForm

from .display_names import validate_display_name
from .models import User


class SignupForm(UserCreationForm):
    """Sign-up: username, e-mail (for password reset) and password twice."""

    email = forms.EmailField(
        required=True, help_text="Used only to reset your password."
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email"]

    def clean_username(self) -> str:
        username = super().clean_username()
        if username and not username.strip("."):
            # A profile address ends with the username, and "." or ".." as a
            # path segment would address another page.
            raise forms.ValidationError(
                "A username needs a letter, a digit or one of @ + - _ besides dots."
            )
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                "A member with that username already exists (names differing "
                "only in case count as the same)."
            )
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this e-mail address exists; log in or reset "
                "its password."
            )
        return email


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "about"]
        widgets = {"about": forms.Textarea(attrs={"rows": 5})}

    def clean_display_name(self) -> str:
        """Reject a display name that reads as another member's or the site's.

        A member's current name passes unchanged, even if it predates the
        rules, so that they can still edit the rest of their profile.
        """
        name = self.cleaned_data["display_name"]
        if " ".join(name.split()) == self.instance.display_name:
            return self.instance.display_name
        return validate_display_name(name, member=self.instance)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What the token is for, such as 'reading-list script'.",
    )
