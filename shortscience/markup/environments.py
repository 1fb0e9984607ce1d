r"""Bare LaTeX math environments: ``\begin{aligned} … \end{aligned}`` without ``$``.

MathJax, which ShortScience.org used, typesets a math environment written
anywhere in the text as display math, and summaries rely on it. Two rules do
the same here:

- ``environment_block``: an environment whose ``\begin`` starts a line and
  whose ``\end`` ends a line becomes a ``math_environment`` block token;
- ``environment_inline``: one that starts or ends inside a line of a
  paragraph becomes a ``math_inline_double`` token, display math inside the
  paragraph.

Either way the formula runs up to the matching ``\end``, nested environments
counted, and keeps its ``\\`` row breaks, which the Markdown escape rule would
turn into ``\``. An environment that is not a math environment, such as
``\begin{itemize}``, stays text.
"""

import re
from bisect import bisect_left

from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.utils import is_code_block

# The math environments of KaTeX 0.16, the version pykatex 0.1.1 bundles.
KATEX_ENVIRONMENTS = frozenset(
    {
        *("equation", "equation*", "align", "align*", "alignat", "alignat*"),
        *("gather", "gather*", "aligned", "alignedat", "gathered", "split"),
        *("cases", "dcases", "rcases", "drcases", "array", "darray", "subarray"),
        *("matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix"),
        *("matrix*", "pmatrix*", "bmatrix*", "Bmatrix*", "vmatrix*", "Vmatrix*"),
        *("smallmatrix", "CD"),
    }
)

# Math environments of LaTeX, amsmath and mathtools that KaTeX lacks. They are
# formulas all the same, so that the math error shows their source with its
# row breaks instead of a paragraph of mangled TeX.
UNSUPPORTED_ENVIRONMENTS = frozenset(
    {
        *("multline", "multline*", "flalign", "flalign*", "eqnarray", "eqnarray*"),
        *("xalignat", "xxalignat", "multlined", "smallmatrix*", "psmallmatrix"),
        *("bsmallmatrix", "Bsmallmatrix", "vsmallmatrix", "Vsmallmatrix"),
    }
)

MATH_ENVIRONMENTS = KATEX_ENVIRONMENTS | UNSUPPORTED_ENVIRONMENTS

_OPEN_RE = re.compile(r"\\begin\{([A-Za-z]+\*?)\}")

# A \begin or \end whose backslash is not itself escaped: "\\begin{x}" is a
# row break followed by text.
_COMMAND_RE = re.compile(
    r"(?<!\\)(?:\\\\)*(?P<command>\\(?P<kind>begin|end)\{(?P<name>[A-Za-z]+\*?)\})"
)


def environment_ends(env: dict, src: str) -> dict[int, int]:
    r"""Map where each closed environment of ``src`` begins to where it ends.

    Keys are the positions of ``\begin``, values the positions just after the
    matching ``\end{name}``. An ``\end`` closes the innermost open environment
    of its name, and environments left open inside it stay unmatched. Linear
    time, and cached in ``env`` for the last ``src`` (the block rules see the
    whole document, the inline rules one paragraph at a time).
    """
    cached = env.get("_markup_environment_ends")
    if cached is not None and cached[0] is src:
        return cached[1]
    ends: dict[int, int] = {}
    open_environments: list[tuple[str, int]] = []
    open_counts: dict[str, int] = {}
    for match in _COMMAND_RE.finditer(src):
        name = match["name"]
        if match["kind"] == "begin":
            open_environments.append((name, match.start("command")))
            open_counts[name] = open_counts.get(name, 0) + 1
            continue
        if not open_counts.get(name):
            continue
        # Each entry is popped at most once, so the whole scan stays linear.
        while True:
            open_name, begin = open_environments.pop()
            open_counts[open_name] -= 1
            if open_name == name:
                ends[begin] = match.end()
                break
    env["_markup_environment_ends"] = (src, ends)
    return ends


def environment_block(
    state: StateBlock, start_line: int, end_line: int, silent: bool
) -> bool:
    r"""Parse a math environment from a ``\begin`` line to its ``\end`` line.

    Blank lines inside are allowed, as they are in ``$$`` blocks. The closing
    line must hold nothing after ``\end{name}``, and every line must belong
    to the enclosing container (list item, block quote).
    """
    if is_code_block(state, start_line):
        return False
    start = state.bMarks[start_line] + state.tShift[start_line]
    match = _OPEN_RE.match(state.src, start, state.eMarks[start_line])
    if match is None or match.group(1) not in MATH_ENVIRONMENTS:
        return False
    end = environment_ends(state.env, state.src).get(start)
    if end is None:
        return False
    close_line = bisect_left(state.eMarks, end, start_line)
    if close_line >= end_line or state.src[end : state.eMarks[close_line]].strip():
        return False
    for line in range(start_line + 1, close_line + 1):
        not_blank = state.bMarks[line] + state.tShift[line] < state.eMarks[line]
        if not_blank and state.sCount[line] < state.blkIndent:
            return False

    if silent:
        return True
    token = state.push("math_environment", "math", 0)
    token.block = True
    token.content = state.getLines(
        start_line, close_line + 1, state.sCount[start_line], False
    )
    token.markup = match.group()
    token.map = [start_line, close_line + 1]
    state.line = close_line + 1
    return True


def environment_inline(state: StateInline, silent: bool) -> bool:
    r"""Parse a math environment inside a paragraph as display math."""
    src, pos = state.src, state.pos
    if not src.startswith("\\begin{", pos):
        return False
    match = _OPEN_RE.match(src, pos, state.posMax)
    if match is None or match.group(1) not in MATH_ENVIRONMENTS:
        return False
    end = environment_ends(state.env, src).get(pos)
    if end is None or end > state.posMax:
        return False
    if not silent:
        token = state.push("math_inline_double", "math", 0)
        token.content = src[pos:end]
        token.markup = match.group()
    state.pos = end
    return True
