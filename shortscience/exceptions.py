"""The one error type that services raise for a request they reject.

Pages turn it into a form error or an error page with the matching status;
the API turns it into its JSON error shape.
"""

from django.core.exceptions import ValidationError


class ServiceError(Exception):
    """A rejected request, with a user-facing message.

    ``code`` is one of ``invalid``, ``forbidden``, ``not_found``,
    ``conflict`` and ``unavailable``, which means that a service the request
    needs, such as the broker, cannot be reached. ``field`` names the input
    at fault, when there is one.
    """

    STATUS = {
        "invalid": 400,
        "forbidden": 403,
        "not_found": 404,
        "conflict": 409,
        "unavailable": 503,
    }

    def __init__(
        self, message: str, *, code: str = "invalid", field: str | None = None
    ):
        if code not in self.STATUS:
            raise ValueError(f"unknown ServiceError code {code!r}")
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field

    @property
    def status(self) -> int:
        """The HTTP status that matches ``code``."""
        return self.STATUS[self.code]

    @classmethod
    def from_validation_error(
        cls, error: ValidationError, *, field: str | None = None
    ) -> "ServiceError":
        return cls(" ".join(error.messages), code="invalid", field=field)
