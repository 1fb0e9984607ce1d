"""Differences between two revisions of a summary's source, for the history page.

Lines are compared first; a changed line is then compared word by word, so
that a long paragraph edited in one place shows only that place.
"""

import difflib
import re
from dataclasses import dataclass

# Above these sizes on either side, a changed block is shown as removed and
# added whole, because SequenceMatcher is quadratic in the worst case.
MAX_LINE_DIFF_LINES = 400
MAX_WORD_DIFF_TOKENS = 4000

TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Segment:
    """A run of text that is unchanged (``equal``), ``removed`` or ``added``."""

    kind: str
    text: str


@dataclass(frozen=True)
class DiffLine:
    """One displayed line of the diff: its kind and its segments."""

    kind: str
    segments: tuple[Segment, ...]


def diff_sources(old: str, new: str) -> list[DiffLine]:
    """Return the lines of ``new`` compared with ``old``, changes marked.

    A line is ``equal``, ``removed``, ``added`` or ``changed``; a changed line
    holds removed and added segments inside its text.
    """
    old_lines = old.splitlines()
    new_lines = new.splitlines()
    prefix = _common_prefix_length(old_lines, new_lines)
    suffix = _common_prefix_length(old_lines[prefix:][::-1], new_lines[prefix:][::-1])
    old_middle = old_lines[prefix : len(old_lines) - suffix]
    new_middle = new_lines[prefix : len(new_lines) - suffix]

    lines = [_whole("equal", text) for text in old_lines[:prefix]]
    if max(len(old_middle), len(new_middle)) > MAX_LINE_DIFF_LINES:
        lines.extend(_whole("removed", text) for text in old_middle)
        lines.extend(_whole("added", text) for text in new_middle)
    else:
        lines.extend(_diff_lines(old_middle, new_middle))
    lines.extend(_whole("equal", text) for text in old_lines[len(old_lines) - suffix :])
    return lines


def _common_prefix_length(old: list[str], new: list[str]) -> int:
    length = 0
    for old_line, new_line in zip(old, new, strict=False):
        if old_line != new_line:
            break
        length += 1
    return length


def _diff_lines(old_lines: list[str], new_lines: list[str]) -> list[DiffLine]:
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines.extend(_whole("equal", text) for text in old_lines[i1:i2])
        elif tag == "delete":
            lines.extend(_whole("removed", text) for text in old_lines[i1:i2])
        elif tag == "insert":
            lines.extend(_whole("added", text) for text in new_lines[j1:j2])
        else:
            lines.extend(_changed_block(old_lines[i1:i2], new_lines[j1:j2]))
    return lines


def _whole(kind: str, text: str) -> DiffLine:
    return DiffLine(kind=kind, segments=(Segment(kind=kind, text=text),))


def _changed_block(old_lines: list[str], new_lines: list[str]) -> list[DiffLine]:
    old_tokens = TOKEN.findall("\n".join(old_lines))
    new_tokens = TOKEN.findall("\n".join(new_lines))
    if max(len(old_tokens), len(new_tokens)) > MAX_WORD_DIFF_TOKENS:
        return [_whole("removed", text) for text in old_lines] + [
            _whole("added", text) for text in new_lines
        ]
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(Segment("equal", "".join(old_tokens[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            segments.append(Segment("removed", "".join(old_tokens[i1:i2])))
        if tag in ("insert", "replace"):
            segments.append(Segment("added", "".join(new_tokens[j1:j2])))
    return _split_segments_into_lines(segments)


def _split_segments_into_lines(segments: list[Segment]) -> list[DiffLine]:
    lines: list[DiffLine] = []
    current: list[Segment] = []
    for segment in segments:
        parts = segment.text.split("\n")
        for index, part in enumerate(parts):
            if index > 0:
                lines.append(DiffLine("changed", tuple(current)))
                current = []
            if part:
                current.append(Segment(segment.kind, part))
    lines.append(DiffLine("changed", tuple(current)))
    return lines
