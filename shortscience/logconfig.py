"""Structured logging: a request id on every record, as JSON or key=value text.

``RequestIdFilter`` copies the id that ``RequestIdMiddleware`` stores for
the current request onto each record; outside a request it is ``-``. ``JsonFormatter``
writes one JSON object per line with the message, the request id and any
``extra={...}`` fields, for log collectors.
"""

import contextvars
import json
import logging
from datetime import UTC, datetime

request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_id", default="-"
)

# Attributes every LogRecord has; the others came from ``extra=``.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    """Add ``request_id`` to each record: the current request's id, or ``-``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD:
                entry[name] = value if _is_plain(value) else repr(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _is_plain(value) -> bool:
    return value is None or isinstance(value, str | int | float | bool)
