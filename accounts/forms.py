from django import forms
from django.contrib.auth.forms import UserCreationForm

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


# Display names that would pass for a label of the site itself.
RESERVED_DISPLAY_NAMES = {"anonymous", "admin", "administrator", "moderator", "staff"}


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "about"]
        widgets = {"about": forms.Textarea(attrs={"rows": 5})}

    def clean_display_name(self) -> str:
        """Reject a display name that reads as another member's or the site's."""
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            return name
        folded = name.casefold()
        if folded in RESERVED_DISPLAY_NAMES:
            raise forms.ValidationError(
                f"“{name}” is reserved by the site; choose another display name."
            )
        others = User.objects.exclude(pk=self.instance.pk)
        taken = others.filter(username__iexact=name).exists() or any(
            other.casefold() == folded
            for other in others.filter(display_name__iexact=name).values_list(
                "display_name", flat=True
            )
        )
        if taken:
            raise forms.ValidationError(
                f"Another member is called “{name}”; choose a name that tells "
                "you apart."
            )
        return name


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What the token is for, such as 'reading-list script'.",
    )
