"""Parsing of BibTeX text into paper records, entry by entry.

``parse_bibtex`` splits the text with bibtexparser 2, resolves ``@string``
macros and ``#`` concatenation in a middleware of its own, and converts each
entry into a ``ParsedPaper`` with Unicode text and normalised identifiers.
A faulty entry becomes a ``ParseFailure`` with its line and never costs its
neighbours. Nothing here touches the database.
"""

import logging
import re
from dataclasses import dataclass, field

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.middlewares import LibraryMiddleware
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    MiddlewareErrorBlock,
    ParsingFailedBlock,
    Preamble,
    String,
)

from .identifiers import (
    MONTH_MACROS,
    ArxivId,
    arxiv_id_from_text,
    arxiv_id_from_url,
    parse_arxiv_id,
    parse_doi,
    parse_month,
    parse_url,
    parse_year,
)
from .latex import latex_to_text
from .names import AuthorName, AuthorNameError, parse_author, split_names
from .preamble import MacroDefinition, expand_macros, parse_definitions

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParsedPaper:
    """One BibTeX entry converted to Unicode text and normalised identifiers.

    ``bibtex`` is the entry as written in the file, for export. ``arxiv_id``
    has no version suffix; ``arxiv_version`` keeps the version if one was
    given. Empty strings and None mean the entry did not give the value.
    """

    bibtex_key: str
    entry_type: str
    title: str
    authors: tuple[AuthorName, ...] = ()
    year: int | None = None
    month: int | None = None
    venue: str = ""
    abstract: str = ""
    arxiv_id: str = ""
    arxiv_version: int | None = None
    doi: str = ""
    url: str = ""
    bibtex: str = ""
    line: int = 0


@dataclass(frozen=True)
class ParseFailure:
    """An entry or block that was not imported: its key if known, line, reason."""

    key: str
    line: int
    message: str


@dataclass
class ParseResult:
    """The papers parsed from a text and the entries that failed, in file order."""

    papers: list[ParsedPaper] = field(default_factory=list)
    failures: list[ParseFailure] = field(default_factory=list)


class EntryError(ValueError):
    """Error for an entry that cannot be imported, with a message for the user."""


def parse_bibtex(text: str) -> ParseResult:
    """Parse BibTeX text into papers and failures.

    The LaTeX macros that ``@preamble`` blocks define are expanded in the
    fields (see ``preamble``). ``@comment`` and text outside entries are
    ignored. A failure is reported for a syntax error, a duplicate key (the
    later entry fails), an undefined macro, a missing key or title and an
    invalid author name. Line numbers count from 1. NUL characters are
    removed because PostgreSQL cannot store them in text columns.
    """
    protected, keys = _protect_parenthesised_keys(text.replace("\x00", ""))
    resolver = ResolveMacrosMiddleware()
    library = bibtexparser.parse_string(protected, parse_stack=[resolver])
    result = ParseResult()
    definitions = _preamble_definitions(library.blocks, resolver.macros, result)
    for block in library.blocks:
        if isinstance(block, Entry):
            key, raw = _original_key_and_raw(block, keys)
            raw = _with_string_definitions(raw, block, resolver.macros)
            raw = _with_preamble_definitions(raw, block, definitions)
            try:
                result.papers.append(entry_to_paper(block, key=key, raw=raw))
            except EntryError as error:
                result.failures.append(ParseFailure(key, _line(block), str(error)))
            except Exception as error:
                # An unexpected fault in one entry must not stop the others.
                logger.exception("BibTeX entry failed to convert: key=%s", key)
                message = (
                    f"could not convert the entry ({type(error).__name__}: {error})"
                )
                result.failures.append(ParseFailure(key, _line(block), message))
        elif isinstance(block, ParsingFailedBlock):
            failure = _failure_of(block, keys)
            if failure is not None:
                result.failures.append(failure)
    return result


def _preamble_definitions(
    blocks: list[Block], macros: dict[str, str], result: ParseResult
) -> dict[str, MacroDefinition]:
    """Collect the LaTeX macros that the ``@preamble`` blocks define.

    A preamble whose value cannot be evaluated is reported as a failure,
    and the entries are imported without its macros.
    """
    definitions: dict[str, MacroDefinition] = {}
    for block in blocks:
        if not isinstance(block, Preamble):
            continue
        try:
            value = evaluate(block.value.strip(), macros, {})
        except EntryError as error:
            message = f"@preamble: {error}; its macros are not expanded"
            result.failures.append(ParseFailure("", _line(block), message))
            continue
        parse_definitions(value, definitions)
    return definitions


def _with_preamble_definitions(
    raw: str, entry: Entry, definitions: dict[str, MacroDefinition]
) -> str:
    """Expand the preamble's macros in the entry's fields, in place.

    Returns the raw entry prefixed with an ``@preamble`` that defines the
    macros it uses, so that the stored entry still works on its own when
    exported, as the @string definitions do.
    """
    if not definitions:
        return raw
    used: set[str] = set()
    for entry_field in entry.fields:
        entry_field.value = expand_macros(entry_field.value, definitions, used)
    if not used:
        return raw
    latex = "".join(definitions[name].as_latex() for name in sorted(used))
    return f"@preamble{{{{{latex}}}}}\n" + raw


class ResolveMacrosMiddleware(LibraryMiddleware):
    """Evaluate every field value into a plain string.

    Handles braced and quoted strings, bare numbers, ``@string`` macros
    (names are case-insensitive, and the month macros ``jan`` to ``dec``
    are predefined) and ``#`` concatenation. An ``@string`` value can use
    the macros defined above it. An entry can use every ``@string`` of the
    text, above or below it. An entry that uses an undefined macro becomes
    a ``MiddlewareErrorBlock`` whose error names the macro.
    """

    def __init__(self) -> None:
        super().__init__()
        self.macros: dict[str, str] = {}

    def transform(self, library: Library) -> Library:
        library = super().transform(library)
        macros: dict[str, str] = dict(MONTH_MACROS)
        self.macros = macros
        broken: dict[str, str] = {}
        for block in library.blocks:
            string = _string_of(block)
            if string is not None:
                _define_macro(string, macros, broken)
        blocks = [
            self._resolve_block(block, macros, broken) for block in library.blocks
        ]
        return Library(blocks, fail_on_duplicate_key=False)

    @staticmethod
    def _resolve_block(
        block: Block, macros: dict[str, str], broken: dict[str, str]
    ) -> Block:
        if not isinstance(block, Entry):
            return block
        names = set()
        used_macros: set[str] = set()
        try:
            for entry_field in block.fields:
                name = entry_field.key
                if "%" in name:
                    name = _LINE_COMMENT.sub("", name)
                name = name.strip().lower()
                if name in names:
                    raise EntryError(f"field `{name}` is given twice")
                names.add(name)
                entry_field.key = name
                try:
                    entry_field.value = evaluate(
                        entry_field.value, macros, broken, used=used_macros
                    )
                except EntryError as error:
                    raise EntryError(f"field `{name}`: {error}") from None
        except EntryError as error:
            return MiddlewareErrorBlock(block, error)
        block.used_macros = used_macros
        return block


def _string_of(block: Block) -> String | None:
    if isinstance(block, String):
        return block
    # bibtexparser reports a redefined @string as a duplicate, but BibTeX
    # lets the later definition win, and so does this parser.
    if isinstance(block, DuplicateBlockKeyBlock) and isinstance(
        block.ignore_error_block, String
    ):
        return block.ignore_error_block
    return None


def _define_macro(string: String, macros: dict[str, str], broken: dict[str, str]):
    name = string.key.lower()
    try:
        macros[name] = evaluate(string.value, macros, broken)
        broken.pop(name, None)
    except EntryError as error:
        macros.pop(name, None)
        broken[name] = f"its @string on line {_line(string)} failed: {error}"


# A `%` comment on the line before a field ends up in the field's name.
_LINE_COMMENT = re.compile(r"%[^\n]*(?:\n|$)")
_MACRO_NAME = re.compile(r"[^\s\"#%'(),={}]+")
_BRACE = re.compile(r"[{}]")
_WHITESPACE = re.compile(r"\s")
_BRACE_OR_QUOTE = re.compile(r'[{}"]')


def evaluate(
    value: str,
    macros: dict[str, str],
    broken: dict[str, str],
    used: set[str] | None = None,
) -> str:
    """Evaluate a raw field value such as ``{A} # " and " # jnl`` to its text.

    Raises EntryError for an undefined macro, naming it, or for a value
    that is not a ``#``-separated list of strings, numbers and macro names.
    The names of the macros expanded are added to ``used`` when it is given.
    """
    # The common cases first: one braced string, or a number.
    if value.startswith("{") and value.endswith("}"):
        if _BRACE.search(value, 1, len(value) - 1) is None:
            return value[1:-1]
        if _closing_brace(value, 0) == len(value):
            return value[1:-1]
    if value.isdigit():
        return value
    parts = []
    index = 0
    length = len(value)
    while True:
        index = _skip_spaces(value, index)
        if index >= length:
            raise EntryError("a value is missing after `#`" if parts else "empty value")
        char = value[index]
        if char == "{":
            end = _closing_brace(value, index)
            parts.append(value[index + 1 : end - 1])
        elif char == '"':
            end = _closing_quote(value, index)
            parts.append(value[index + 1 : end - 1])
        else:
            match = _MACRO_NAME.match(value, index)
            if match is None:
                raise EntryError(f"unexpected `{char}` in value `{_shorten(value)}`")
            end = match.end()
            parts.append(_expand(match[0], macros, broken))
            if used is not None and not match[0].isdigit():
                used.add(match[0].lower())
        index = _skip_spaces(value, end)
        if index >= length:
            return "".join(parts)
        if value[index] != "#":
            raise EntryError(
                f"expected `#` between the parts of value `{_shorten(value)}`"
            )
        index += 1


def _expand(name: str, macros: dict[str, str], broken: dict[str, str]) -> str:
    if name.isdigit():
        return name
    key = name.lower()
    if key in macros:
        return macros[key]
    if key in broken:
        raise EntryError(f"macro `{name}` is undefined because {broken[key]}")
    raise EntryError(
        f"undefined macro `{name}`: define it with @string{{{name} = {{...}}}} "
        "or put the value in braces"
    )


def _shorten(value: str, limit: int = 60) -> str:
    """Return the value on one line, cut to ``limit`` characters for a message."""
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 3] + "..."


def _skip_spaces(value: str, index: int) -> int:
    while index < len(value) and value[index].isspace():
        index += 1
    return index


def _closing_brace(value: str, start: int) -> int:
    depth = 0
    for match in _BRACE.finditer(value, start):
        depth += 1 if match[0] == "{" else -1
        if depth == 0:
            return match.end()
    raise EntryError(f"unbalanced braces in value `{_shorten(value)}`")


def _closing_quote(value: str, start: int) -> int:
    depth = 0
    for match in _BRACE_OR_QUOTE.finditer(value, start + 1):
        char = match[0]
        if char == '"' and depth == 0:
            return match.end()
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
    raise EntryError(f"unclosed quote in value `{_shorten(value)}`")


def entry_to_paper(entry: Entry, *, key: str, raw: str) -> ParsedPaper:
    """Convert an entry whose fields were evaluated to plain strings.

    ``key`` and ``raw`` are the entry's key and text as written in the file.
    Raises EntryError when the key or title is missing or an author name
    cannot be split into its parts.
    """
    if not key:
        raise EntryError("missing key: write the key after `{`, as in @article{key,")
    if _WHITESPACE.search(key):
        raise EntryError(f"invalid key `{key}`: a key cannot contain spaces")
    fields = {entry_field.key: entry_field.value for entry_field in entry.fields}
    title = latex_to_text(fields.get("title", ""))
    if not title:
        raise EntryError("missing title")
    arxiv = _arxiv_id(fields)
    url = parse_url(fields.get("url", "")) or ""
    return ParsedPaper(
        bibtex_key=key,
        entry_type=entry.entry_type.lower(),
        title=title,
        authors=parse_authors(fields.get("author", "")),
        year=parse_year(fields.get("year", "")),
        month=parse_month(fields.get("month", "")),
        venue=latex_to_text(fields.get("journal") or fields.get("booktitle", "")),
        abstract=latex_to_text(fields.get("abstract", "")),
        arxiv_id=arxiv.id if arxiv else "",
        arxiv_version=arxiv.version if arxiv else None,
        doi=parse_doi(fields.get("doi", "")) or parse_doi(url) or "",
        url=url,
        bibtex=raw,
        line=_line(entry),
    )


def parse_authors(value: str) -> tuple[AuthorName, ...]:
    """Split an ``author`` field into names; ``and others`` is left out.

    Raises EntryError naming the author that cannot be split into parts.
    """
    try:
        authors = [parse_author(name) for name in split_names(value)]
    except AuthorNameError as error:
        raise EntryError(str(error)) from None
    return tuple(author for author in authors if author is not None)


def _arxiv_id(fields: dict[str, str]) -> ArxivId | None:
    """Find the arXiv identifier in eprint, a CoRR volume, the URL or journal."""
    eprint = fields.get("eprint", "")
    archive = fields.get("archiveprefix") or fields.get("eprinttype") or "arxiv"
    if eprint and archive.strip().lower() == "arxiv":
        arxiv = parse_arxiv_id(eprint)
        if arxiv is not None:
            return arxiv
    # DBLP cites arXiv preprints as journal = {CoRR}, volume = {abs/1805.11604}.
    volume = fields.get("volume", "").strip()
    if fields.get("journal", "").strip().lower() == "corr" and volume.startswith(
        "abs/"
    ):
        arxiv = parse_arxiv_id(volume[4:])
        if arxiv is not None:
            return arxiv
    return arxiv_id_from_url(fields.get("url", "")) or arxiv_id_from_text(
        fields.get("journal", "")
    )


def _failure_of(block: ParsingFailedBlock, keys: dict[str, str]) -> ParseFailure | None:
    """Describe a block that bibtexparser or our middleware could not parse."""
    inner = block.ignore_error_block
    if isinstance(block, DuplicateBlockKeyBlock):
        if isinstance(inner, String):
            return None
        first = _line(block.previous_block)
        message = f"duplicate key: an entry above, on line {first}, has the same key"
        return ParseFailure(keys.get(block.key, block.key), _line(block), message)
    if isinstance(block, DuplicateFieldKeyBlock):
        names = ", ".join(f"`{name}`" for name in sorted(block.duplicate_keys))
        message = f"field {names} is given twice"
        return ParseFailure(keys.get(inner.key, inner.key), _line(block), message)
    if isinstance(inner, Entry):
        return ParseFailure(
            keys.get(inner.key, inner.key), _line(block), str(block.error)
        )
    reason = getattr(block.error, "abort_reason", None) or str(block.error)
    message = "syntax error: " + " ".join(reason.split())
    return ParseFailure(_key_from_raw(block.raw or "", keys), _line(block), message)


_RAW_KEY = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s{}=\"]+)")


def _key_from_raw(raw: str, keys: dict[str, str]) -> str:
    match = _RAW_KEY.match(raw)
    if match is None or raw.lstrip("@").lower().startswith(("string", "preamble")):
        return ""
    return keys.get(match[1], match[1])


def _line(block: Block) -> int:
    """Return the block's first line, counted from 1 (bibtexparser counts from 0)."""
    return (block.start_line or 0) + 1


# An entry written with parentheses, @article(key, ...), ends at the first `)`
# outside braces, so bibtexparser's splitter cuts a key such as
# 10.1000/0123-4567(99)00001-2 short. Such keys are swapped for a placeholder
# before splitting and put back afterwards.
_PARENTHESISED_ENTRY = re.compile(
    r"^(?P<head>[ \t]*@[ \t]*(?!(?:comment|string|preamble)\b)\w+[ \t]*\([ \t]*)"
    r"(?P<key>[^,\s{}=\"]*[()][^,\s{}=\"]*)(?=[ \t]*,)",
    re.MULTILINE | re.IGNORECASE,
)


def _protect_parenthesised_keys(text: str) -> tuple[str, dict[str, str]]:
    if "(" not in text:
        return text, {}
    keys: dict[str, str] = {}
    prefix = "shortscience-key-"
    while prefix in text:
        prefix += "-"

    def replace(match: re.Match) -> str:
        placeholder = f"{prefix}{len(keys)}"
        keys[placeholder] = match["key"]
        return match["head"] + placeholder

    return _PARENTHESISED_ENTRY.sub(replace, text), keys


def _original_key_and_raw(entry: Entry, keys: dict[str, str]) -> tuple[str, str]:
    raw = entry.raw or ""
    original = keys.get(entry.key)
    if original is None:
        return entry.key, raw
    return original, raw.replace(entry.key, original, 1)


def _with_string_definitions(raw: str, entry: Entry, macros: dict[str, str]) -> str:
    """Prefix the raw entry with the @string definitions it uses.

    The stored entry is exported on its own, and without them a macro such
    as ``journal = jnl`` would be undefined there. Month macros are built
    into BibTeX and need none.
    """
    names = sorted(getattr(entry, "used_macros", set()) - MONTH_MACROS.keys())
    definitions = [
        f"@string{{{name} = {{{macros[name]}}}}}\n" for name in names if name in macros
    ]
    return "".join(definitions) + raw
