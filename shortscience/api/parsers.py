"""The API's request body parser: DRF's JSON parser with a limit on nesting.

Python's ``json`` module recurses once per level of arrays and objects, so
a body of a thousand ``[`` exhausts the interpreter's recursion limit and,
uncaught, fails the request with a server error. Serializers and services
walk the parsed value recursively again, so even a body that the parser
survives must stay shallow. No request body of this API nests more than a
few levels.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Maximum levels of arrays and objects in a request body. ``{"a": [1]}`` has 2.
MAX_DEPTH = 64

TOO_DEEP_MESSAGE = (
    f"JSON parse error - arrays and objects are nested more than {MAX_DEPTH} "
    "levels deep."
)


class JSONParser(parsers.JSONParser):
    """Parse a JSON body, raising ``ParseError`` when it nests too deeply."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP_MESSAGE) from None
        if nesting_depth(data) > MAX_DEPTH:
            raise ParseError(TOO_DEEP_MESSAGE)
        return data


def nesting_depth(value) -> int:
    """Return how many levels of lists and dicts ``value`` nests, 0 for a scalar.

    The walk uses a stack of its own, not recursion, so any depth is safe.
    """
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest
