"""The check on ``next`` addresses that pages redirect to after a form."""

from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_redirect(request, target: str) -> bool:
    """Tell whether ``target`` is an address on this site that may be redirected to.

    Addresses on other hosts are rejected, so a link cannot send a member
    elsewhere, and so are addresses with NUL, which no page has and which a
    Location header cannot carry.
    """
    if "\x00" in target:
        return False
    return url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
