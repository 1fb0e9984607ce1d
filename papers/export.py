"""The file name and Content-Disposition header of a paper's .bib download."""

import unicodedata

from django.utils.http import content_disposition_header


def bibtex_filename(bibtex_key: str) -> str:
    """Return the .bib file name for a key: its letters and digits, "_" for the rest.

    Keys contain "/" and ":", which file names may not.
    """
    return "".join(c if c.isalnum() else "_" for c in bibtex_key) + ".bib"


def bibtex_content_disposition(bibtex_key: str) -> str:
    """Return the ASCII Content-Disposition header of a key's .bib download.

    A non-ASCII file name is sent twice: in UTF-8 as ``filename*`` (RFC 6266
    and RFC 8187), and as an ASCII ``filename`` for clients that do not read
    ``filename*``, with accents dropped and other letters written as "_".
    """
    filename = bibtex_filename(bibtex_key)
    header = content_disposition_header(False, filename)
    if filename.isascii():
        return header
    encoded = header.removeprefix("inline; ")
    return f'inline; filename="{ascii_filename(filename)}"; {encoded}'


def ascii_filename(filename: str) -> str:
    """Return ``filename`` in ASCII letters, digits, "." and "_"."""
    characters = []
    for character in filename:
        if not character.isascii():
            decomposed = unicodedata.normalize("NFKD", character)
            character = decomposed.encode("ascii", "ignore").decode()
        characters.append(
            "".join(c if c.isalnum() or c == "." else "_" for c in character) or "_"
        )
    return "".join(characters)
