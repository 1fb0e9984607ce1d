"""OpenAPI helpers: the error schema, shared parameters and the token scheme.

``add_error_responses`` runs after drf-spectacular builds the schema. It
documents the error responses every operation can return, so that views
declare only the ones particular to them (409 on an edit, for instance),
and gives every 4xx response the body described in ``exceptions.py``.
"""

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
)
from drf_spectacular.utils import OpenApiParameter

ERROR_REF = {"$ref": "#/components/schemas/Error"}

ERROR_SCHEMAS = {
    "Error": {
        "type": "object",
        "description": "The body of every error response.",
        "required": ["status", "code", "message", "errors"],
        "properties": {
            "status": {"type": "integer", "description": "The HTTP status."},
            "code": {
                "type": "string",
                "description": "A stable code: invalid, not_authenticated, "
                "authentication_failed, permission_denied, forbidden, not_found, "
                "method_not_allowed, not_acceptable, conflict, "
                "request_too_large, unsupported_media_type, parse_error, "
                "throttled or unavailable.",
            },
            "message": {"type": "string", "description": "A sentence for people."},
            "errors": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/ErrorItem"},
                "description": "The problems with the input, one per field and "
                "reason; empty when the error concerns the request as a whole.",
            },
        },
    },
    "ErrorItem": {
        "type": "object",
        "required": ["field", "code", "message"],
        "properties": {
            "field": {
                "type": "string",
                "nullable": True,
                "description": "A dotted path into the body, or a query "
                "parameter's name; null for the request as a whole.",
            },
            "code": {"type": "string"},
            "message": {"type": "string"},
        },
    },
}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input; `errors` names each field and the reason.",
    "401": "No credentials where they are needed, or an invalid or revoked token.",
    "403": "Signed in, but not allowed to do this.",
    "404": "Not found, or not visible to the caller.",
    "409": "Conflicts with the current state.",
    "413": "The request body is over the size limit that `message` names.",
    "415": "Unsupported request body media type; send JSON.",
    "429": "Too many requests; retry after `Retry-After` seconds.",
    "503": "A service the request needs cannot be reached; try again later.",
}

WRITE_METHODS = {"post", "put", "patch", "delete"}

BIBTEX_KEY_PARAMETER = OpenApiParameter(
    "bibtex_key",
    str,
    OpenApiParameter.PATH,
    description=(
        "The paper's BibTeX key, verbatim. It may contain `/ : . ( )`, written "
        "raw or percent-encoded (`journals/jmlr/GlorotB10` or "
        "`journals%2Fjmlr%2FGlorotB10`). The `url` of every paper in a "
        "response is ready to follow. To write an address yourself, encode "
        "the first character of some segments twice: of a `.` or `..` "
        "segment, which clients would otherwise resolve (`..` as `%252E.`), "
        "of a segment that starts with `%` (`%2525`), and of a last segment "
        "`summaries` or `bibtex`, which would otherwise reach the routes "
        "below the paper (`%2573ummaries`, `%2562ibtex`)."
    ),
)

USERNAME_PARAMETER = OpenApiParameter(
    "username",
    str,
    OpenApiParameter.PATH,
    description=(
        "The member's username. The usernames `.` and `..` cannot be addressed, "
        "because clients remove such path segments before sending."
    ),
)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describe ``ApiTokenAuthentication`` as HTTP bearer authentication."""

    target_class = "shortscience.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from /settings/tokens/, sent "
            "as `Authorization: Bearer <token>`; `Token <token>` works too.",
        }


class InputSerializerScheme(OpenApiSerializerExtension):
    """Document that request bodies of ``InputSerializer`` accept no other fields."""

    target_class = "shortscience.api.serializers.InputSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(
            self.target, direction, bypass_extensions=True
        )
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


def add_error_responses(result, generator, request, public):
    """Add the error responses each operation can return, all of the Error shape.

    Every operation can return 401 (an invalid token) and 429. Operations
    with parameters or a body can return 400, those with path parameters
    404, writes 403, and those with a body 413 and 415.
    """
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in _error_statuses(path, method, operation):
                responses.setdefault(status, {})
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    _describe_error(status, response)
    return result


def _error_statuses(path: str, method: str, operation: dict) -> list[str]:
    statuses = ["401", "429"]
    parameters = operation.get("parameters", [])
    if parameters or "requestBody" in operation:
        statuses.append("400")
    if any(parameter.get("in") == "path" for parameter in parameters):
        statuses.append("404")
    if method in WRITE_METHODS:
        statuses.append("403")
    if "requestBody" in operation:
        statuses.extend(["413", "415"])
    return statuses


def _describe_error(status: str, response: dict) -> None:
    response.setdefault(
        "description", ERROR_DESCRIPTIONS.get(status, "An error; see `message`.")
    )
    if not response["description"]:
        response["description"] = ERROR_DESCRIPTIONS.get(status, "An error.")
    response["content"] = {"application/json": {"schema": ERROR_REF}}
    if status == "429":
        response["headers"] = {
            "Retry-After": {
                "schema": {"type": "integer"},
                "description": "Seconds to wait before the next request.",
            }
        }
