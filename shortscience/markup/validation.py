"""Size limits for Markdown sources, checked before they are stored."""

from django.conf import settings
from django.core.exceptions import ValidationError

from .formulas import extract_formulas

FORMULA_PREVIEW_CHARS = 40


def validate_source(
    source: str,
    *,
    max_bytes: int | None = None,
    max_formula_bytes: int | None = None,
    max_formulas: int | None = None,
) -> None:
    """Raise ValidationError if the source or one of its formulas is too large.

    Sizes are UTF-8 bytes. The limits default to the SUMMARY_MAX_BYTES,
    FORMULA_MAX_BYTES and FORMULAS_MAX settings. The message gives the size
    and the limit in KB and, for a formula, its line and first characters.
    """
    check_size(source, max_bytes)
    check_formulas(extract_formulas(source), max_formula_bytes, max_formulas)


def check_size(source: str, max_bytes: int | None) -> None:
    """Raise ValidationError (code ``too_large``) if the source is over the limit."""
    if max_bytes is None:
        max_bytes = settings.SUMMARY_MAX_BYTES
    size = len(source.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise ValidationError(
            "The text is %(size)s (%(bytes)s bytes in UTF-8); the maximum is "
            "%(limit)s. Shorten it.",
            code="too_large",
            params={"size": _kb(size), "bytes": size, "limit": _kb(max_bytes)},
        )


def check_formulas(
    formulas: list, max_formula_bytes: int | None, max_formulas: int | None
) -> None:
    """Raise ValidationError if there are too many formulas or one is too large."""
    if max_formula_bytes is None:
        max_formula_bytes = settings.FORMULA_MAX_BYTES
    if max_formulas is None:
        max_formulas = settings.FORMULAS_MAX
    if len(formulas) > max_formulas:
        raise ValidationError(
            "The text has %(count)s formulas; the maximum is %(limit)s. "
            "Remove some, or merge neighbouring ones.",
            code="too_many_formulas",
            params={"count": len(formulas), "limit": max_formulas},
        )
    for formula in formulas:
        size = len(formula.tex.encode("utf-8", "surrogatepass"))
        if size > max_formula_bytes:
            start = formula.tex[:FORMULA_PREVIEW_CHARS]
            if len(formula.tex) > FORMULA_PREVIEW_CHARS:
                start += "…"
            raise ValidationError(
                "The formula on line %(line)s starting with “%(start)s” is "
                "%(size)s; the maximum for one formula is %(limit)s. Split it.",
                code="formula_too_large",
                params={
                    "line": formula.line,
                    "start": start,
                    "size": _kb(size),
                    "limit": _kb(max_formula_bytes),
                },
            )


def _kb(size: int) -> str:
    """Format a byte count in KB of 1,024 bytes, e.g. ``100 KB`` or ``100.2 KB``."""
    kilobytes = size / 1024
    if kilobytes == int(kilobytes):
        return f"{int(kilobytes)} KB"
    return f"{kilobytes:.1f} KB"
