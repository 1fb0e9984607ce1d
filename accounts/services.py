"""Writes for members: their profile and API tokens."""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shortscience import pagecache
from shortscience.exceptions import ServiceError

from .forms import ProfileForm
from .models import ApiToken, User
from .tokens import generate_key, hash_key, shown_prefix

logger = logging.getLogger(__name__)

MAX_TOKENS_PER_USER = 20
TOKEN_NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length

# ``last_used`` is written at most this often per token, so that a busy
# script does not turn every read into a write.
LAST_USED_PRECISION = timedelta(minutes=1)


def update_profile(*, member: User, changes: dict) -> User:
    """Change ``member``'s display name or about text, checked as on the settings page.

    ``changes`` may contain either field or both; the other keeps its value.
    ProfileForm validates, so the page and the API share one set of rules.
    Raises ValidationError with the errors of each field.
    """
    values = {name: getattr(member, name) for name in ProfileForm.Meta.fields}
    form = ProfileForm({**values, **changes}, instance=member)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return save_profile(form)


def save_profile(form: ProfileForm) -> User:
    """Save a valid profile form and make stale the cached pages.

    Every cached page may show the member's display name in a byline.
    """
    member = form.save()
    pagecache.invalidate(pagecache.SITE)
    logger.info(
        "Profile updated: user_id=%s fields=%s", member.pk, ",".join(form.changed_data)
    )
    return member


def create_api_token(*, user, name: str) -> tuple[ApiToken, str]:
    """Create a named API token for ``user``; return it and its key.

    The key is returned only here: the database keeps its hash. Raises
    ServiceError (field ``name``) for an empty, too long or repeated name,
    and when the member already has ``MAX_TOKENS_PER_USER`` tokens.
    """
    name = name.strip()
    if not name:
        raise ServiceError("Give the token a name.", field="name")
    if len(name) > TOKEN_NAME_MAX_LENGTH:
        raise ServiceError(
            f"A token name has at most {TOKEN_NAME_MAX_LENGTH} characters.",
            field="name",
        )
    if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_USER:
        raise ServiceError(
            f"You have {MAX_TOKENS_PER_USER} tokens, the maximum; revoke one first.",
            field="name",
        )
    key = generate_key()
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user, name=name, prefix=shown_prefix(key), key_hash=hash_key(key)
            )
    except IntegrityError:
        raise ServiceError(
            "You already have a token with this name; choose another.", field="name"
        ) from None
    logger.info("API token created: token_id=%s user_id=%s", token.pk, user.pk)
    return token, key


def revoke_api_token(*, user, token_id: int) -> None:
    """Delete ``user``'s token ``token_id``; raise ServiceError if they have none."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise ServiceError("No such token.", code="not_found")
    logger.info("API token revoked: token_id=%s user_id=%s", token_id, user.pk)


def authenticate_api_key(key: str) -> ApiToken | None:
    """Return the token with this key, its active user loaded, or None.

    Records the time of use, at most once per ``LAST_USED_PRECISION``.
    """
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_key(key), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used is None or now - token.last_used >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return token
