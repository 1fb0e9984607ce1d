"""Authentication for API calls: member API tokens, and the site's session.

Scripts send ``Authorization: Bearer <key>`` (or ``Token <key>``) with a
key made on the settings page. Pages of the site itself call the API with
their session cookie, which DRF checks together with the CSRF token.
"""

from rest_framework import authentication, exceptions

from accounts.services import authenticate_api_key

SCHEMES = ("bearer", "token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Authenticate ``Authorization: Bearer <key>`` or ``Token <key>``.

    A request without such a header is left to the next authentication
    class. A header with a malformed, unknown or revoked key is rejected with
    401, never treated as anonymous, so that a script with a wrong key fails
    loudly instead of reading only public data.
    """

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in SCHEMES:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid Authorization header; send 'Bearer <token>'."
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                "Invalid token; tokens contain only ASCII characters."
            ) from None
        token = authenticate_api_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
