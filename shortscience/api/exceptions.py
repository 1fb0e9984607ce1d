"""The API's one error shape, and the handler that turns every error into it.

Every error response has this body::

    {"status": 404, "code": "not_found", "message": "Summary not found.",
     "errors": []}

``errors`` lists the problems with the input, one per field and reason:
``{"field": "source", "code": "blank", "message": "..."}``, where ``field``
is a dotted path into the request body or a query parameter's name, and
null for a problem with the request as a whole.
"""

import logging
import math

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.views import set_rollback

from shortscience.exceptions import ServiceError

logger = logging.getLogger(__name__)

# The ``code`` of each status when the error carries no more specific one.
STATUS_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "throttled",
    503: "unavailable",
}

INVALID_MESSAGE = "The request is invalid; see errors for each field."


def error_body(
    status_code: int, message: str, *, code: str | None = None, errors=()
) -> dict:
    """Build the error body for ``status_code``; ``code`` defaults by status."""
    return {
        "status": status_code,
        "code": code or STATUS_CODES.get(status_code, "error"),
        "message": message,
        "errors": list(errors),
    }


def api_exception_handler(exc, context):
    """Turn an exception raised in an API view into a response of the error shape.

    Handles DRF's exceptions, ``ServiceError`` and Django's ``Http404``,
    ``PermissionDenied``, ``ValidationError`` and ``RequestDataTooBig``.
    Anything else returns None, so DRF re-raises it and Django reports a
    server error as usual.
    """
    if isinstance(exc, ServiceError):
        return _service_error_response(exc)
    if isinstance(exc, RequestDataTooBig):
        logger.warning(
            "API request body over the size limit: path=%s content_length=%s",
            context["request"].path,
            context["request"].META.get("CONTENT_LENGTH"),
        )
        set_rollback()
        return Response(too_large_body(), status=413)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_validation_detail(exc))
    if not isinstance(exc, exceptions.APIException):
        return None

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(math.ceil(exc.wait))
    set_rollback()
    if isinstance(exc, exceptions.ValidationError):
        body = error_body(
            exc.status_code, INVALID_MESSAGE, errors=flatten_errors(exc.detail)
        )
    else:
        body = error_body(
            exc.status_code,
            _message_of(exc),
            code=_code_of(exc),
        )
    return Response(body, status=exc.status_code, headers=headers)


def _service_error_response(error: ServiceError) -> Response:
    errors = []
    if error.field:
        errors.append(
            {"field": error.field, "code": error.code, "message": error.message}
        )
    set_rollback()
    return Response(
        error_body(error.status, error.message, code=error.code, errors=errors),
        status=error.status,
    )


def too_large_body() -> dict:
    """Build the error body for a request body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    message = (
        f"The request body is larger than the limit of {limit / 2**20:g} MB "
        f"({limit} bytes). Send a smaller body."
    )
    return error_body(413, message)


def _message_of(exc: exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, list | dict):
        flat = flatten_errors(detail)
        return " ".join(item["message"] for item in flat) or exc.default_detail
    return str(detail)


def _code_of(exc: exceptions.APIException) -> str:
    """Return the error code: the detail's own unless it is DRF's generic one."""
    if isinstance(exc, exceptions.NotFound):
        return "not_found"
    codes = exc.get_codes()
    if isinstance(codes, str) and codes not in ("invalid", "error"):
        return codes
    return STATUS_CODES.get(exc.status_code, exc.default_code)


def _django_validation_detail(error: DjangoValidationError):
    """Return DRF's error detail for a Django ValidationError, keeping its codes."""
    if hasattr(error, "error_dict"):
        return {
            field if field != "__all__" else "non_field_errors": _details(errors)
            for field, errors in error.error_dict.items()
        }
    return _details(error.error_list)


def _details(errors: list[DjangoValidationError]) -> list[ErrorDetail]:
    return [
        ErrorDetail(message, code=item.code or "invalid")
        for item in errors
        for message in item.messages
    ]


def flatten_errors(detail, prefix: str | None = None) -> list[dict]:
    """Flatten DRF's nested error detail into ``{field, code, message}`` items.

    Nested fields are joined with dots (``authors.0.name``). DRF's
    ``non_field_errors`` become items with ``field`` null.
    """
    items = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                items.extend(flatten_errors(value, prefix))
            else:
                name = str(key) if prefix is None else f"{prefix}.{key}"
                items.extend(flatten_errors(value, name))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                name = str(index) if prefix is None else f"{prefix}.{index}"
                items.extend(flatten_errors(value, name))
            else:
                items.extend(flatten_errors(value, prefix))
    else:
        code = getattr(detail, "code", None) or "invalid"
        items.append({"field": prefix, "code": code, "message": str(detail)})
    return items


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Return a JSON 404 for an address under ``/api/`` that no route matches.

    Any method gets the 404. The view is exempt from the CSRF check, which
    would otherwise reject a write with Django's HTML 403 page, and it
    changes nothing. When the same address with a trailing slash exists,
    the message names it, because every API address ends with a slash.
    """
    message = "No API endpoint at this address."
    if not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "not-found":
            message = (
                f"No API endpoint at this address; API addresses end with a "
                f"slash: {request.path}/"
            )
    return JsonResponse(error_body(status.HTTP_404_NOT_FOUND, message), status=404)


def bad_request(request, exception, *args, **kwargs):
    """Return a JSON 400 or 413 for ``/api/`` addresses and the site's page otherwise.

    Django calls this as ``handler400`` for a ``SuspiciousOperation`` that no
    view handled, such as a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` read
    outside an API view, or a disallowed Host header. Such a body gets 413
    under ``/api/``, and the HTML 400 page elsewhere, as before.
    """
    if not request.path_info.startswith("/api/"):
        return defaults.bad_request(request, exception, *args, **kwargs)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse(too_large_body(), status=413)
    return JsonResponse(error_body(400, "The request is invalid."), status=400)


def server_error(request, *args, **kwargs):
    """Return a JSON 500 for ``/api/`` addresses and the site's error page otherwise.

    Django calls this as ``handler500`` after it has logged the exception.
    """
    if request.path_info.startswith("/api/"):
        message = "Internal server error; it has been logged. Try again later."
        return JsonResponse(error_body(500, message, code="server_error"), status=500)
    return defaults.server_error(request, *args, **kwargs)
