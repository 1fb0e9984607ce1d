"""Middleware for request ids, request logging and the Content-Security-Policy."""

import logging
import re
import time
import uuid

from django.conf import settings

from .logconfig import request_id

logger = logging.getLogger("shortscience.requests")

REQUEST_ID_HEADER = "X-Request-ID"
# An id from a proxy is kept only if it is short and plain, so that it cannot
# forge log lines.
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestIdMiddleware:
    """Give each request an id, log its outcome and return the id in a header.

    The id is the proxy's ``X-Request-ID`` when valid, else a new random one;
    every log record written while the request runs carries it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.id = incoming if _VALID_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id.set(request.id)
        start = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.id
            if not logger.isEnabledFor(logging.INFO):
                return response
            user = getattr(request, "user", None)
            logger.info(
                "Request finished: method=%s path=%s status=%s duration_ms=%.1f "
                "user_id=%s",
                request.method,
                request.path,
                response.status_code,
                (time.perf_counter() - start) * 1000,
                user.pk if user is not None and user.is_authenticated else None,
            )
            return response
        finally:
            request_id.reset(token)


def build_policy(directives: dict[str, list[str]]) -> str:
    """Return a Content-Security-Policy header value from directive lists."""
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    """Send ``settings.CONTENT_SECURITY_POLICY`` with every response.

    A view that needs another policy sets the header itself, and this
    middleware leaves it alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = build_policy(settings.CONTENT_SECURITY_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response
