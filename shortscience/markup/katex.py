"""Convert TeX to MathML with KaTeX, run by pykatex in a child process.

pykatex 0.1.1 cannot run inside the web process, for two reasons found by
testing it:

- Its QuickJS runtime is a C global that records the stack of the thread that
  made the first call. A call from any other thread fails with a stack
  overflow error, or, from a thread with a higher stack, runs without a stack
  limit. Gunicorn threads and ``runserver`` serve each request on their own
  thread, so a lock does not help.
- A JavaScript stack overflow corrupts the glibc heap, and the process
  aborts after three to five of them. About 26 nested ``\\boxed{`` or 150
  nested braces cause one, and users can type those.

So one child process per web or worker process (``katex_worker.py``) does all
conversions, one at a time under a lock, and is restarted when it dies, hangs
or retires itself. A crash costs one formula (shown as a math error) and a
restart of about 0.05 s. A formula takes about 0.6 ms, and 10 KB of TeX about
0.25 s (docs/benchmarks-rendering.md).
"""

import atexit
import functools
import html
import json
import logging
import os
import re
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

logger = logging.getLogger(__name__)

WORKER_SCRIPT = Path(__file__).with_name("katex_worker.py")

# A formula that takes longer is abandoned and the child process killed.
# KaTeX converts 10 KB of TeX (the largest formula a summary may contain) in
# about 0.25 s and 100 KB in about 2.5 s.
CONVERT_TIMEOUT_S = 10.0

# After the child process fails to start, calls fail fast for this long
# instead of trying to start it again for every formula.
START_RETRY_DELAY_S = 5.0

# Formulas nested deeper than this are rejected before they reach KaTeX, so
# that they cost neither a stack overflow nor a restart. Measured with
# pykatex 0.1.1 (1 MB JavaScript stack): the first overflow comes at 64
# nested matrix environments, 95 \left, 150 braces, or 26 \boxed{ (weighted
# 4 each below, so 104). The formulas of the ten real front-page summaries
# reach 4.
MAX_NESTING = 40

# Macro definitions are rejected: a macro that expands into nested calls of
# another slips past the nesting count above and can overflow KaTeX's stack,
# and a summary has no use for them.
MACRO_DEFINITION = re.compile(
    r"\\(?:def|gdef|edef|xdef|let|futurelet|global|newcommand|renewcommand"
    r"|providecommand)(?![A-Za-z])"
)

# pykatex reports a JavaScript stack overflow ("Maximum call stack size
# exceeded") with its first 19 characters cut off, as katex_worker.py notes.
STACK_OVERFLOW_MESSAGE = "size exceeded"

MAX_REASON_CHARS = 300

_TEX_TOKEN = re.compile(r"\\(?:[A-Za-z@]+|.)|[{}\[\]$]", re.DOTALL)

# Commands that open a level: \begin opens an environment (the array around
# it costs about twice a brace group); \boxed expands to \fbox{$\displaystyle{.
_OPEN_WEIGHTS = {"{": 1, r"\left": 1, r"\begin": 2, r"\bgroup": 1, r"\begingroup": 1}
_CLOSE = {"}", r"\right", r"\end", r"\egroup", r"\endgroup"}
_PREFIX_WEIGHTS = {r"\boxed": 3, r"\fbox": 1, r"\colorbox": 1, r"\substack": 1}

# Commands that act on the rest of the group; KaTeX parses that rest one level
# deeper for each of them.
_SWITCHES = frozenset(
    {
        *(r"\color", r"\displaystyle", r"\textstyle", r"\scriptstyle"),
        *(r"\scriptscriptstyle", r"\rm", r"\sf", r"\tt", r"\bf", r"\it"),
        *(r"\cal", r"\tiny", r"\sixptsize", r"\scriptsize", r"\footnotesize"),
        *(r"\small", r"\normalsize", r"\large", r"\Large", r"\LARGE"),
        *(r"\huge", r"\Huge"),
    }
)


class FormulaError(Exception):
    """A formula that could not be converted; the message gives the reason."""


def nesting_depth(tex: str) -> int:
    """Estimate how deeply KaTeX will recurse to parse the TeX, in levels.

    Brace groups, \\left, \\begin, math inside \\text and font or size
    switches each add levels. The estimate guards against stack overflow; it
    is not a TeX parser, and unbalanced input simply ends at its last level.
    """
    frames: list[list] = []  # [opening command, levels it adds with its switches]
    depth = max_depth = 0
    prefix_weight = 0
    for match in _TEX_TOKEN.finditer(tex):
        command = match.group()
        if command == "$" and frames and frames[-1][0] == "$":
            depth -= frames.pop()[1]
        elif command in _OPEN_WEIGHTS or command == "$":
            # A $ inside \text{...} opens math mode, and the next $ closes it.
            weight = _OPEN_WEIGHTS.get(command, 1) + prefix_weight
            frames.append([command, weight])
            depth += weight
        elif command in _CLOSE:
            if frames:
                depth -= frames.pop()[1]
        elif command in _SWITCHES:
            depth += 1
            if frames:
                frames[-1][1] += 1
        prefix_weight = _PREFIX_WEIGHTS.get(command, 0)
        max_depth = max(max_depth, depth)
    return max_depth


class KatexProcess:
    """A child process running ``katex_worker.py``, started on first use.

    Not thread-safe: callers hold ``_lock``. The process is restarted after it
    dies, times out or reports that it retires.
    """

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._buffer = bytearray()
        self._start_failed_at: float | None = None

    def convert(self, tex: str, display: bool) -> tuple[str, str]:
        """Return KaTeX's result: ``("html", MathML)`` or ``("error", reason)``.

        Raise FormulaError when there is no result because the process crashed,
        timed out or could not start.
        """
        request = json.dumps({"tex": tex, "display": display}).encode() + b"\n"
        process = self._running_process()
        try:
            _write_all(process.stdin.fileno(), request)
            line = self._read_line(process, time.monotonic() + CONVERT_TIMEOUT_S)
        except TimeoutError:
            logger.warning(
                "KaTeX timed out after %s s; killing pid=%s",
                CONVERT_TIMEOUT_S,
                process.pid,
            )
            self.stop()
            raise FormulaError(
                f"conversion timed out after {CONVERT_TIMEOUT_S:g} s"
            ) from None
        except (EOFError, OSError):
            process.poll()
            logger.warning(
                "KaTeX process pid=%s exited (status %s) while converting a "
                "formula of %s characters",
                process.pid,
                process.returncode,
                len(tex),
            )
            self.stop()
            raise FormulaError("the math renderer crashed on this formula") from None
        try:
            response = json.loads(line)
            if "error" in response:
                result = ("error", str(response["error"]))
            else:
                result = ("html", str(response["html"]))
        except (ValueError, KeyError, TypeError):
            logger.exception("Invalid response from KaTeX process pid=%s", process.pid)
            self.stop()
            raise FormulaError("the math renderer sent an invalid response") from None
        if response.get("retiring"):
            logger.info("KaTeX process pid=%s retired after an error", process.pid)
            self.stop()
        return result

    def stop(self) -> None:
        """End the child process, if any, and forget it."""
        process, self._process = self._process, None
        self._buffer.clear()
        if process is None:
            return
        process.stdin.close()
        try:
            process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()

    def forget_after_fork(self) -> None:
        """Drop this process's copies of the pipes of the parent's child."""
        process, self._process = self._process, None
        self._buffer.clear()
        if process is not None:
            process.stdin.close()
            process.stdout.close()
            # This process cannot wait for its parent's child.
            process.returncode = 0

    def _running_process(self) -> subprocess.Popen:
        if self._process is not None and self._process.poll() is None:
            return self._process
        if self._process is not None:
            self.stop()
        failed_at = self._start_failed_at
        if failed_at is not None and time.monotonic() - failed_at < START_RETRY_DELAY_S:
            raise FormulaError("the math renderer is not available")
        command = [sys.executable, "-P", str(WORKER_SCRIPT)]
        try:
            self._process = subprocess.Popen(  # noqa: S603 (fixed command)
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0
            )
        except OSError:
            logger.exception("Failed to start the KaTeX process %s", command)
            self._start_failed_at = time.monotonic()
            raise FormulaError("the math renderer is not available") from None
        self._start_failed_at = None
        logger.info("Started the KaTeX process pid=%s", self._process.pid)
        return self._process

    def _read_line(self, process: subprocess.Popen, deadline: float) -> bytes:
        fd = process.stdout.fileno()
        while (newline := self._buffer.find(b"\n")) < 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    raise EOFError
                self._buffer += chunk
        line = bytes(self._buffer[:newline])
        del self._buffer[: newline + 1]
        return line


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


_lock = threading.Lock()
_katex = KatexProcess()


def _reset_after_fork() -> None:
    global _lock
    _lock = threading.Lock()
    _katex.forget_after_fork()


os.register_at_fork(after_in_child=_reset_after_fork)
atexit.register(_katex.stop)


@functools.lru_cache(maxsize=2048)
def _convert_cached(tex: str, display: bool) -> tuple[str, str]:
    """Return ``("html", MathML)`` or ``("error", reason)`` from KaTeX.

    Only KaTeX's own results are cached. Crashes and timeouts raise, so the
    formula is tried again next time.
    """
    with _lock:
        kind, value = _katex.convert(tex, display)
    if kind == "html":
        value = unwrap_token_elements(value)
    return kind, value


_TAG_RE = re.compile(r"<(/?)([A-Za-z][\w-]*)([^>]*)>")
_TOKEN_ELEMENTS = frozenset({"mi", "mo", "mn", "ms", "mtext"})


def unwrap_token_elements(mathml: str) -> str:
    """Rename to ``mrow`` each token element that contains elements.

    KaTeX 0.16 writes ``<mo><mover>…</mover></mo>`` for \\overset, \\stackrel,
    \\mathrel{…}, \\mathop{…} and \\bmod. In HTML, mi, mo, mn, ms and mtext
    are text integration points: the HTML parser of browsers and of nh3 makes
    an element inside them an HTML element, so the browser shows it wrong and
    the sanitiser drops it. An ``mrow`` keeps the content and loses only the
    operator spacing.
    """
    parts: list[str] = []
    open_elements: list[list] = []  # [name, index of its start tag in parts]
    position = 0
    for match in _TAG_RE.finditer(mathml):
        closing, name, attributes = match.groups()
        parts.append(mathml[position : match.start()])
        position = match.end()
        if closing:
            parts.append(match.group())
            if open_elements:
                start = open_elements.pop()[1]
                if parts[start] == "<mrow>":
                    parts[-1] = "</mrow>"
            continue
        if open_elements and open_elements[-1][0] in _TOKEN_ELEMENTS:
            parts[open_elements[-1][1]] = "<mrow>"
        parts.append(match.group())
        if not attributes.endswith("/"):
            open_elements.append([name, len(parts) - 1])
    parts.append(mathml[position:])
    return "".join(parts)


def tex_to_mathml(tex: str, *, display: bool) -> str:
    """Return KaTeX's MathML for the TeX, wrapped in ``<span class="katex">``.

    Raise FormulaError with the reason for TeX that KaTeX rejects, that nests
    deeper than MAX_NESTING levels, or that crashed or timed out the renderer.
    Untrusted commands such as \\href and \\includegraphics are shown as red
    text, not followed.
    """
    definition = MACRO_DEFINITION.search(tex)
    if definition is not None:
        raise FormulaError(
            f"macro definitions ({definition.group()}) are not supported; "
            "write the formula out"
        )
    depth = nesting_depth(tex)
    if depth > MAX_NESTING:
        raise FormulaError(
            f"the formula is nested {depth} levels deep; the maximum is {MAX_NESTING}"
        )
    kind, value = _convert_cached(tex, display)
    if kind == "error":
        raise FormulaError(value)
    return value


def formula_html(tex: str, *, display: bool, block: bool) -> str:
    """Return the HTML for one formula: its MathML in a ``math`` wrapper.

    The wrapper is a ``div`` for a block and a ``span`` inside a paragraph,
    with class ``math math-display`` or ``math math-inline``. A formula that
    fails shows its TeX, escaped, in ``<span class="math-error">`` with the
    reason in the title.
    """
    try:
        body = tex_to_mathml(tex, display=display)
    except FormulaError as exc:
        reason = str(exc)
        if reason == STACK_OVERFLOW_MESSAGE:
            reason = "the formula is nested too deeply for the renderer"
        if len(reason) > MAX_REASON_CHARS:
            reason = reason[: MAX_REASON_CHARS - 1] + "…"
        title = html.escape(f"Could not render this formula: {reason}")
        body = f'<span class="math-error" title="{title}">{html.escape(tex)}</span>'
    tag = "div" if block else "span"
    kind = "math-display" if display else "math-inline"
    return f'<{tag} class="math {kind}">{body}</{tag}>'
