"""API for members: public profiles and the caller's own account and profile."""

from django.http import Http404
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import RetrieveAPIView
from rest_framework.response import Response

from shortscience.api.permissions import Authenticated
from shortscience.api.schema import USERNAME_PARAMETER
from shortscience.api.serializers import InputSerializer, ReversedUrlField
from summaries.selectors import score_of_author

from . import services
from .models import User
from .selectors import get_active_member


class MemberSerializer(serializers.ModelSerializer):
    """A member as credited on summaries, comments and papers."""

    url = ReversedUrlField("api:user-detail", lookup_field="username")
    html_url = ReversedUrlField("accounts:profile", lookup_field="username")

    class Meta:
        model = User
        fields = ["username", "display_name", "url", "html_url"]
        read_only_fields = fields


class MemberFieldMixin:
    """Serialize credited members with one shared ``MemberSerializer``.

    A serializer built per row costs more than the rest of the row, so
    method fields that credit a member call ``member_data`` instead.
    """

    @cached_property
    def member_serializer(self) -> MemberSerializer:
        return MemberSerializer(context=self.context)

    def member_data(self, member) -> dict | None:
        if member is None:
            return None
        return self.member_serializer.to_representation(member)


class ProfileSerializer(MemberSerializer):
    """A member's public profile, with the score of the summaries credited to them.

    The score counts only what the caller may see, and anonymous summaries
    only for their own author, as on the profile page.
    """

    score = serializers.SerializerMethodField()
    summaries_url = ReversedUrlField("api:user-summaries", lookup_field="username")

    class Meta(MemberSerializer.Meta):
        fields = [
            *MemberSerializer.Meta.fields,
            "about",
            "date_joined",
            "score",
            "summaries_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField())
    def get_score(self, member) -> int:
        return score_of_author(author=member, viewer=self.context["request"].user)


class UserDetail(RetrieveAPIView):
    """Show a member's public profile."""

    serializer_class = ProfileSerializer

    @extend_schema(parameters=[USERNAME_PARAMETER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        return get_member_or_404(self.kwargs["username"])


def get_member_or_404(username: str) -> User:
    """Return the active member with ``username``, or raise NotFound naming a user."""
    try:
        return get_active_member(username=username)
    except Http404:
        raise NotFound("User not found.") from None


class ProfileUpdateSerializer(InputSerializer):
    """A change to the caller's profile; a field left out keeps its value.

    The settings page's rules apply (``accounts.forms.ProfileForm``).
    """

    display_name = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The name shown on pages in place of the username; empty "
        "to show the username. Runs of spaces become one. At most "
        f"{User._meta.get_field('display_name').max_length} characters, and "
        "not a label of the site or a name that reads as another member's.",
    )
    about = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="A few lines about you, in plain text. At most "
        f"{User._meta.get_field('about').max_length} characters.",
    )


class CurrentUser(RetrieveAPIView):
    """Show or change the profile of the member who makes the call."""

    serializer_class = ProfileSerializer
    permission_classes = [Authenticated]

    def get_object(self):
        return self.request.user

    @extend_schema(operation_id="me_retrieve")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="me_partial_update",
        summary="Change the caller's display name or about text",
        description="A field left out keeps its value. The settings page's "
        "rules apply, and a rejected value gets a 400 that names the field.",
        request=ProfileUpdateSerializer,
        responses=ProfileSerializer,
    )
    def patch(self, request, *args, **kwargs):
        body = ProfileUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        member = services.update_profile(
            member=request.user, changes=body.validated_data
        )
        return Response(self.get_serializer(member).data)
