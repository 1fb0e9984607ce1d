r"""Macros that a BibTeX file defines for itself in ``@preamble``.

A file may write ``@preamble{"\newcommand{\noopsort}[1]{}"}`` and then
``{\noopsort{a}}Zebra`` in a title to steer BibTeX's sorting, or define a
shorthand for a name or venue. LaTeX expands these macros when it typesets
the bibliography, so the import expands them the same way before it
converts a field to text: ``\noopsort{a}`` vanishes and a shorthand becomes
its text. Definitions with an optional argument are not expanded.
"""

import re
from dataclasses import dataclass

from .latex import group_end

# Expansion stops after this many passes, or once a value grows past
# MAX_EXPANDED_CHARS, because a macro can expand into itself.
MAX_PASSES = 10
MAX_EXPANDED_CHARS = 100_000

_COMMAND_DEFINITION = re.compile(
    r"\\(newcommand|renewcommand|providecommand|DeclareRobustCommand)\*?\s*"
)
_DEF = re.compile(r"\\[gex]?def\s*\\([A-Za-z]+)\s*((?:#[1-9]\s*)*)\{")
_BRACED_NAME = re.compile(r"\{\s*\\([A-Za-z]+)\s*\}\s*")
_BARE_NAME = re.compile(r"\\([A-Za-z]+)\s*")
_ARGUMENT_COUNT = re.compile(r"\[\s*([0-9])\s*\]\s*")
_CONTROL_WORD = re.compile(r"\\([A-Za-z]+)")
_ENDS_WITH_CONTROL_WORD = re.compile(r"(?<!\\)(?:\\\\)*\\[A-Za-z]+$")
_PARAMETER = re.compile(r"#([1-9])")
_SPACES = " \t\r\n"


@dataclass(frozen=True)
class MacroDefinition:
    r"""A macro defined in ``@preamble``: its name, argument count and body."""

    name: str
    arguments: int
    body: str

    def as_latex(self) -> str:
        r"""Return the definition as ``\providecommand``, safe to repeat."""
        count = f"[{self.arguments}]" if self.arguments else ""
        return f"\\providecommand{{\\{self.name}}}{count}{{{self.body}}}"


def parse_definitions(
    preamble: str, definitions: dict[str, MacroDefinition] | None = None
) -> dict[str, MacroDefinition]:
    r"""Add the macros that ``preamble`` defines to ``definitions`` and return it.

    Reads ``\newcommand``, ``\renewcommand``, ``\providecommand`` and
    ``\DeclareRobustCommand`` (a later definition wins, except that
    ``\providecommand`` keeps an earlier one) and ``\def`` with ``#1``
    parameters. Anything else in the preamble is ignored.
    """
    definitions = {} if definitions is None else definitions
    for match in _COMMAND_DEFINITION.finditer(preamble):
        definition = _command_definition(preamble, match.end())
        if definition is None:
            continue
        if match[1] == "providecommand" and definition.name in definitions:
            continue
        definitions[definition.name] = definition
    for match in _DEF.finditer(preamble):
        body_end = group_end(preamble, match.end() - 1)
        if body_end > len(preamble):
            continue
        arguments = match[2].count("#")
        body = preamble[match.end() : body_end - 1]
        definitions[match[1]] = MacroDefinition(match[1], arguments, body)
    return definitions


def _command_definition(preamble: str, index: int) -> MacroDefinition | None:
    name_match = _BRACED_NAME.match(preamble, index) or _BARE_NAME.match(
        preamble, index
    )
    if name_match is None:
        return None
    index = name_match.end()
    arguments = 0
    count_match = _ARGUMENT_COUNT.match(preamble, index)
    if count_match is not None:
        arguments = int(count_match[1])
        index = count_match.end()
    if preamble.startswith("[", index) or not preamble.startswith("{", index):
        # An optional first argument ([default]) or a malformed definition.
        return None
    body_end = group_end(preamble, index)
    if body_end > len(preamble):
        return None
    return MacroDefinition(name_match[1], arguments, preamble[index + 1 : body_end - 1])


def expand_macros(
    value: str,
    definitions: dict[str, MacroDefinition],
    used: set[str] | None = None,
) -> str:
    """Expand the defined macros in ``value``, as LaTeX would.

    A macro whose arguments are missing stays as written. The names of the
    macros expanded are added to ``used`` when it is given. When expansion
    does not settle within MAX_PASSES passes or MAX_EXPANDED_CHARS, the
    value of the last pass within the size limit is returned.
    """
    if not definitions or "\\" not in value:
        return value
    for _ in range(MAX_PASSES):
        expanded = _expand_once(value, definitions, used)
        if expanded == value or len(expanded) > MAX_EXPANDED_CHARS:
            return value
        value = expanded
    return value


def _expand_once(
    value: str, definitions: dict[str, MacroDefinition], used: set[str] | None
) -> str:
    pieces: list[str] = []
    index = 0
    for match in _CONTROL_WORD.finditer(value):
        start = match.start()
        definition = definitions.get(match[1])
        if definition is None or start < index or _is_escaped(value, start):
            continue
        arguments, end = _read_arguments(value, match.end(), definition.arguments)
        if arguments is None:
            continue
        replacement = _substitute(definition.body, arguments)
        if (
            end < len(value)
            and value[end].isalpha()
            and _ENDS_WITH_CONTROL_WORD.search(replacement) is not None
        ):
            # Keep a control word at the end of the body apart from the
            # letters that follow the macro call.
            replacement += " "
        pieces.append(value[index:start])
        pieces.append(replacement)
        index = end
        if used is not None:
            used.add(definition.name)
    pieces.append(value[index:])
    return "".join(pieces)


def _substitute(body: str, arguments: list[str]) -> str:
    """Replace the parameters ``#1`` to ``#9`` of a macro body with arguments."""

    def argument(match: re.Match) -> str:
        number = int(match[1])
        return arguments[number - 1] if number <= len(arguments) else ""

    return _PARAMETER.sub(argument, body)


def _read_arguments(value: str, index: int, count: int) -> tuple[list[str] | None, int]:
    """Read ``count`` undelimited macro arguments: braced groups or single tokens."""
    arguments = []
    length = len(value)
    for _ in range(count):
        while index < length and value[index] in _SPACES:
            index += 1
        if index >= length:
            return None, index
        if value[index] == "{":
            end = group_end(value, index)
            if end > length:
                return None, index
            arguments.append(value[index + 1 : end - 1])
        elif value[index] == "\\":
            word = _CONTROL_WORD.match(value, index)
            end = word.end() if word is not None else min(index + 2, length)
            arguments.append(value[index:end])
        else:
            end = index + 1
            arguments.append(value[index])
        index = end
    return arguments, index


def _is_escaped(value: str, position: int) -> bool:
    """Return whether an odd number of backslashes precedes ``value[position]``."""
    count = 0
    while position - count - 1 >= 0 and value[position - count - 1] == "\\":
        count += 1
    return count % 2 == 1
