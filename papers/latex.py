"""Conversion of BibTeX field values written in LaTeX to plain Unicode text.

pylatexenc decodes the LaTeX macros, but it reads a string one character at a
time (about 0.5 ms for a 75-character title with pylatexenc 2.11), which is
too slow for files with many thousands of entries. So this module scans the
value itself: plain text, case-protecting braces and typographic ligatures
are handled here, and only each macro together with its argument (such as
``\\"{o}``, ``\\'\\i`` or ``\\ss``) goes to pylatexenc, with the results cached.
Math between ``$`` signs is copied unchanged.
"""

import functools
import re

from pylatexenc.latex2text import (
    LatexNodes2Text,
    MacroTextSpec,
    get_default_latex_context_db,
)
from pylatexenc.latexwalker import LatexWalker, LatexWalkerError
from pylatexenc.latexwalker import (
    get_default_latex_context_db as get_default_walker_context_db,
)
from pylatexenc.macrospec import MacroSpec

# Characters that need more than whitespace collapsing.
_NEEDS_CONVERSION = re.compile(r"[\\{}$~`'-]")

# Letter macros that put an accent on the next character even when it is not
# braced, as in ``\c c`` or ``\v z``.
_LETTER_ACCENTS = frozenset("bcdGHkrtuUv")

# Control symbols that put an accent on the next character, as in ``\'e``.
_SYMBOL_ACCENTS = frozenset("'\"^`~=.")

_SPACES = " \t\r\n"

# Groups up to this length that contain a macro are decoded as a whole.
_SHORT_GROUP = 12

# Characters that end a run of plain text: a macro, a group or math.
_SPECIAL = re.compile(r"[\\{}$]")
# Braces, and escapes that hide a brace from counting, such as ``\{``.
_BRACE_OR_ESCAPE = re.compile(r"\\.|[{}]", re.DOTALL)


def latex_to_text(value: str) -> str:
    """Convert a LaTeX field value to Unicode text on one line.

    Accent macros become accented letters, case-protecting braces go,
    ``--`` and ``---`` become en and em dashes, ````` `` ````` and ``''``
    become curly double quotes, ``~`` becomes a space, and runs of
    whitespace become one space. Math between ``$`` signs is kept verbatim,
    braces included.
    """
    if _NEEDS_CONVERSION.search(value) is not None:
        value = _convert(value)
    return " ".join(value.split())


def _convert(value: str) -> str:
    pieces: list[str] = []
    index = 0
    while True:
        match = _SPECIAL.search(value, index)
        if match is None:
            pieces.append(_typeset(value[index:]))
            return "".join(pieces)
        start = match.start()
        pieces.append(_typeset(value[index:start]))
        char = match[0]
        if char == "\\":
            index = _macro_end(value, start)
            pieces.append(_decode_macro(value[start:index]))
        elif char == "{":
            index = group_end(value, start)
            inner = value[start + 1 : index - 1]
            if _SPECIAL.search(inner) is None:
                pieces.append(_typeset(inner))
            elif index - start <= _SHORT_GROUP and "$" not in inner:
                # An accent in braces, such as {\"O} or {\'\i}: decoding it
                # whole hits the cache more often than its parts would.
                pieces.append(_decode_macro(value[start:index]))
            else:
                pieces.append(_convert(inner))
        elif char == "$":
            index = _math_end(value, start)
            pieces.append(value[start:index])
        else:
            # An unbalanced closing brace: BibTeX would complain, we drop it.
            index = start + 1


def _typeset(text: str) -> str:
    """Replace TeX's ligatures for dashes and quotes in text without macros."""
    if not text:
        return text
    if "-" in text:
        text = text.replace("---", "\u2014").replace("--", "\u2013")
    if "`" in text or "'" in text:
        text = text.replace("``", "\u201c").replace("''", "\u201d")
    return text.replace("~", " ")


def group_end(value: str, start: int) -> int:
    """Return the index after the brace closing the one at ``start``.

    For an unclosed group, return one past the end of the value, so that
    ``value[start + 1 : end - 1]`` is still the whole content.
    """
    depth = 0
    for match in _BRACE_OR_ESCAPE.finditer(value, start):
        char = match[0]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return match.end()
    return len(value) + 1


def _math_end(value: str, start: int) -> int:
    """Return the index after the ``$`` or ``$$`` closing the math at ``start``.

    A lone ``$`` without a closing one is kept as text.
    """
    delimiter = "$$" if value.startswith("$$", start) else "$"
    index = start + len(delimiter)
    while True:
        index = value.find(delimiter, index)
        if index == -1:
            return start + len(delimiter)
        if value[index - 1] != "\\":
            return index + len(delimiter)
        index += 1


def _macro_end(value: str, start: int) -> int:
    """Return the index after the macro at ``start`` and its arguments, if any.

    A control word takes every braced group that follows it, so that
    ``\\href{url}{text}`` and ``\\frac{a}{b}`` reach the decoder whole.
    """
    length = len(value)
    index = start + 1
    if index >= length:
        return length
    if not _is_ascii_letter(value[index]):
        # A control symbol: an accent takes the next character or group as
        # its argument, and the others (``\&``, ``\%``, ``\\``) take none.
        if value[index] in _SYMBOL_ACCENTS:
            return _argument_end(value, index + 1)
        return index + 1
    while index < length and _is_ascii_letter(value[index]):
        index += 1
    name = value[start + 1 : index]
    # TeX skips the spaces after a control word.
    while index < length and value[index] in _SPACES:
        index += 1
    if index < length and value[index] == "{":
        end = group_end(value, index)
        while end < length and value[end] == "{":
            end = group_end(value, end)
        return min(end, length)
    if name in _LETTER_ACCENTS:
        return _argument_end(value, index)
    return index


def _argument_end(value: str, start: int) -> int:
    """Return the index after the single-token argument at ``start``."""
    length = len(value)
    while start < length and value[start] in _SPACES:
        start += 1
    if start >= length:
        return length
    if value[start] == "{":
        return group_end(value, start)
    if value[start] == "\\":
        return _macro_end(value, start)
    return start + 1


def _is_ascii_letter(char: str) -> bool:
    return "a" <= char <= "z" or "A" <= char <= "Z"


# Macros that format their argument as text: the text is kept. Macros that
# pylatexenc's parser gives arguments but its text converter does not list,
# such as \texttt, would otherwise lose their argument.
TEXT_MACROS = (
    *("emph", "textrm", "textit", "textbf", "textsc", "textsl", "textsf"),
    *("texttt", "textup", "textmd", "textnormal", "text", "mbox", "hbox"),
    *("fbox", "underline", "uline", "textsuperscript", "textsubscript"),
    *("textls", "enquote", "ensuremath", "protect", "relax", "bibinfo"),
)

# Macros that carry no text of the field: sort keys, labels, colours and
# layout. Their arguments are dropped.
DISCARDED_MACROS = (
    *("noopsort", "SortNoop", "sortnoop", "NoSort", "label", "index"),
    *("nocite", "hyphenation", "color", "pagecolor", "phantom", "hphantom"),
    *("vphantom", "hspace", "vspace", "setlength", "addlength", "setcounter"),
    *("addcounter", "newcommand", "renewcommand", "providecommand"),
    *("DeclareMathOperator", "usepackage", "RequirePackage", "documentclass"),
    *("selectlanguage", "hypersetup", "definecolor", "bibliography"),
)

# Macros with one braced argument that the parser must know about, so that
# the argument reaches the text converter with the macro (and, for the
# discarded ones, is dropped with it).
_ONE_ARGUMENT_MACROS = (
    *("noopsort", "SortNoop", "sortnoop", "NoSort", "index", "nocite"),
    *("hyphenation", "phantom", "thanks", "textnormal", "textsuperscript"),
    *("textsubscript", "hbox", "fbox", "uline", "textls", "enquote"),
    *("bibinfo", "MakeUppercase", "MakeLowercase", "uppercase", "lowercase"),
    *("MakeTextUppercase", "MakeTextLowercase"),
)


def _argument_text(node, l2tobj) -> str:
    """Return the text of a macro's last argument."""
    arguments = node.nodeargd.argnlist if node.nodeargd else []
    arguments = [argument for argument in arguments if argument is not None]
    return l2tobj.nodelist_to_text(arguments[-1:]) if arguments else ""


@functools.cache
def _decoder() -> LatexNodes2Text:
    context = get_default_latex_context_db()
    # Print URLs as they are, without the angle brackets pylatexenc adds, and
    # the TeX logos by name, which pylatexenc drops. A footnote's text
    # follows the title after a space, not in pylatexenc's brackets.
    macros = [
        MacroTextSpec("url", simplify_repl="%s"),
        MacroTextSpec("href", simplify_repl="%(2)s"),
        MacroTextSpec("footnote", simplify_repl=" %(2)s"),
        MacroTextSpec("thanks", simplify_repl=" %s"),
        MacroTextSpec("foreignlanguage", simplify_repl="%(3)s"),
        *(MacroTextSpec(logo, simplify_repl=logo) for logo in ("TeX", "LaTeX")),
        MacroTextSpec("BibTeX", simplify_repl="BibTeX"),
        *(MacroTextSpec(name, discard=False) for name in TEXT_MACROS),
        *(MacroTextSpec(name, discard=True) for name in DISCARDED_MACROS),
    ]
    for name in ("MakeUppercase", "uppercase", "MakeTextUppercase"):
        macros.append(
            MacroTextSpec(
                name, simplify_repl=lambda n, l2tobj: _argument_text(n, l2tobj).upper()
            )
        )
    for name in ("MakeLowercase", "lowercase", "MakeTextLowercase"):
        macros.append(
            MacroTextSpec(
                name, simplify_repl=lambda n, l2tobj: _argument_text(n, l2tobj).lower()
            )
        )
    context.add_context_category("shortscience", prepend=True, macros=macros)
    # Any other macro keeps the text of its arguments: an unknown formatting
    # macro is far more common in a title than one whose argument is no text.
    context.set_unknown_macro_spec(MacroTextSpec("", discard=False))
    return LatexNodes2Text(latex_context=context, math_mode="verbatim")


@functools.cache
def _parsing_context():
    # The parser needs each macro's argument count. Without it, the arguments
    # stay plain groups and the text converter never receives them.
    context = get_default_walker_context_db()
    macros = [
        MacroSpec("href", "{{"),
        MacroSpec("foreignlanguage", "[{{"),
        *(MacroSpec(name, "{") for name in _ONE_ARGUMENT_MACROS),
    ]
    context.add_context_category("shortscience", prepend=True, macros=macros)
    return context


@functools.lru_cache(maxsize=8192)
def _decode_macro(fragment: str) -> str:
    """Decode one macro with its argument, such as ``\\"{O}`` or ``\\ss``."""
    try:
        nodes = LatexWalker(
            fragment, latex_context=_parsing_context(), tolerant_parsing=True
        ).get_latex_nodes()[0]
        text = _decoder().nodelist_to_text(nodes)
    except (LatexWalkerError, IndexError, KeyError, TypeError, ValueError):
        # pylatexenc raises on some malformed macros (``\\verb|x|``, a
        # missing argument); keep the letters rather than lose the entry.
        text = None
    if text is None or "%s" in text or "%(" in text:
        # A replacement template with unfilled arguments is not text either.
        return re.sub(r"\\[A-Za-z]*|[{}\\]", "", fragment)
    return text
