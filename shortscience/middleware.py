"""Middleware: request ids and logging, the Content-Security-Policy, NUL checks."""

import logging
import re
import time
import uuid

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from .api.exceptions import INVALID_MESSAGE, error_body
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


NUL = "\x00"
# The code and message that Django's and DRF's ProhibitNullCharactersValidator
# give a form or body field that contains NUL.
NUL_ERROR_CODE = "null_characters_not_allowed"
NUL_ERROR_MESSAGE = "Null characters are not allowed."


class RejectNullCharactersMiddleware:
    """Return 404 for a path and 400 for a query string that contains NUL (U+0000).

    PostgreSQL can neither store nor compare strings that contain NUL, so
    such a value would fail any query it reached with a server error. A
    query parameter's name counts as well as its value. Addresses under
    ``/api/`` get the API's JSON error shape; pages get the HTML error
    pages. Form and JSON body fields are left to the forms and serializers,
    whose validators reject NUL with a field error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path_info:
            return self.path_not_found(request)
        for name, values in request.GET.lists():
            if NUL in name or any(NUL in value for value in values):
                return self.query_invalid(request, name)
        return self.get_response(request)

    def path_not_found(self, request):
        message = "Not found: the address contains a NUL character (%00)."
        if is_api_request(request):
            return JsonResponse(error_body(404, message), status=404)
        return render(request, "404.html", {"exception": message}, status=404)

    def query_invalid(self, request, name: str):
        if is_api_request(request):
            item = {"field": name, "code": NUL_ERROR_CODE, "message": NUL_ERROR_MESSAGE}
            body = error_body(400, INVALID_MESSAGE, errors=[item])
            return JsonResponse(body, status=400)
        shown = name.replace(NUL, "")
        message = (
            f"The query parameter \u201c{shown}\u201d contains a NUL character "
            "(%00), which no page accepts. Remove it and try again."
        )
        # The search box shows the query without its NULs, so nothing typed
        # there is lost.
        query = request.GET.get("q", "").replace(NUL, "")
        context = {"message": message, "query": query}
        return render(request, "400.html", context, status=400)


def is_api_request(request) -> bool:
    """Tell whether the request is for an address of the API."""
    return request.path_info.startswith("/api/")
