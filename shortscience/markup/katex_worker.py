"""Convert TeX to MathML with pykatex in a child process of the web process.

The parent (``shortscience.markup.katex``) starts this file as a script and
writes one JSON request per line: ``{"tex": "...", "display": true}``. Each
request gets one JSON line back: ``{"html": "..."}`` or ``{"error": "..."}``,
with ``"retiring": true`` added when the process exits after this response.
The process exits at end of input. It also exits right after reporting a
JavaScript stack overflow, because in pykatex 0.1.1 that error corrupts the
glibc heap and the process aborts after three to five of them. And it exits
after MAX_ERRORS errors of any kind, because each error leaks about 1.4 KB.
The parent starts a fresh process for the next formula.

This file imports nothing from the project, so the child starts and converts
its first formula in about 0.05 s.
"""

import json
import os
import signal
import sys

import pykatex

# pykatex 0.1.1 drops the first 19 characters of every error message, the
# length of KaTeX's "KaTeX parse error: " prefix. So QuickJS's "Maximum call
# stack size exceeded" arrives as this.
STACK_OVERFLOW_MESSAGE = "size exceeded"

# Cap user-given sizes such as \rule{500em}{500em} so that one formula cannot
# cover the page; 20 em is wider than any real rule or space.
MAX_SIZE_EM = 20.0

MAX_ERRORS = 5000


def convert(tex: str, display: bool) -> dict[str, str]:
    """Return ``{"html": MathML}`` for the TeX, or ``{"error": reason}``."""
    try:
        html = pykatex.renderToString(
            tex,
            output="mathml",
            displayMode=display,
            throwOnError=True,
            strict="ignore",
            trust=False,
            maxSize=MAX_SIZE_EM,
        )
    except pykatex.ParseError as exc:
        return {"error": str(exc)}
    except (ValueError, UnicodeError) as exc:
        # The C extension rejects NUL characters and lone surrogates.
        return {"error": f"invalid character in formula: {exc}"}
    return {"html": html}


def main() -> int:
    """Convert the requests on standard input until it closes."""
    # Ctrl-C in a terminal reaches the whole process group; the parent
    # decides when this process ends by closing its standard input.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Keep standard output for responses alone: anything that QuickJS or
    # KaTeX prints (console.log, C printf) goes to standard error instead.
    responses = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    errors = 0
    for line in sys.stdin.buffer:
        request = json.loads(line)
        response = convert(request["tex"], bool(request["display"]))
        if "error" in response:
            errors += 1
            overflow = response["error"] == STACK_OVERFLOW_MESSAGE
            if overflow or errors >= MAX_ERRORS:
                response["retiring"] = True
        responses.write(json.dumps(response) + "\n")
        responses.flush()
        if response.get("retiring"):
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
