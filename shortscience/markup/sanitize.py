"""The one HTML allowlist for everything users or notebooks put on a page.

It keeps the HTML that the Markdown renderer writes, the MathML that KaTeX
writes, and inert formatting that notebook outputs and paper metadata use.
Nothing that runs script survives: no script, style, iframe, form, event or
style attribute, no MathML ``annotation-xml`` or ``maction`` (HTML and actions
inside MathML), and URLs only with http, https or mailto schemes or relative.
"""

import functools
import re

import nh3

MATHML_TAGS = {
    *("math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms"),
    *("mtext", "mspace", "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot"),
    *("mtable", "mtr", "mtd", "mlabeledtr", "mstyle", "mpadded", "mphantom"),
    *("menclose", "mover", "munder", "munderover", "mmultiscripts"),
    *("mprescripts", "none", "merror"),
}

HTML_TAGS = {
    *("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"),
    *("code", "em", "strong", "s", "del", "ins", "a", "img", "ul", "ol", "li"),
    *("table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "div"),
    *("span", "sub", "sup", "b", "i", "u", "small", "mark", "kbd", "samp"),
    *("var", "abbr", "dl", "dt", "dd", "figure", "figcaption", "details"),
    *("summary", "colgroup", "col", "q", "cite", "dfn", "time", "wbr"),
}

_TOKEN_ATTRIBUTES = {"mathvariant", "mathcolor", "mathbackground", "mathsize", "dir"}

ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "col": {"span"},
    "colgroup": {"span"},
    "abbr": {"title"},
    "time": {"datetime"},
    "code": {"class"},
    "math": {"xmlns", "display"},
    "annotation": {"encoding"},
    "mi": _TOKEN_ATTRIBUTES,
    "mn": _TOKEN_ATTRIBUTES,
    "ms": _TOKEN_ATTRIBUTES,
    "mtext": _TOKEN_ATTRIBUTES,
    "mo": _TOKEN_ATTRIBUTES
    | {"fence", "separator", "stretchy", "symmetric", "largeop", "movablelimits"}
    | {"lspace", "rspace", "minsize", "maxsize", "form", "accent"},
    "mstyle": _TOKEN_ATTRIBUTES | {"displaystyle", "scriptlevel"},
    "mspace": {"width", "height", "depth", "mathbackground"},
    "mpadded": {"width", "height", "depth", "lspace", "voffset", "mathbackground"},
    "mfrac": {"linethickness", "numalign", "denomalign", "bevelled"},
    "menclose": {"notation"},
    "mover": {"accent"},
    "munder": {"accentunder"},
    "munderover": {"accent", "accentunder"},
    "mtable": {"columnalign", "rowalign", "columnspacing", "rowspacing"}
    | {"columnlines", "rowlines", "frame", "framespacing", "width", "side"}
    | {"equalrows", "equalcolumns", "displaystyle"},
    "mtr": {"columnalign", "rowalign"},
    "mlabeledtr": {"columnalign", "rowalign"},
    "mtd": {"columnalign", "rowalign", "columnspan", "rowspan", "width"},
}

ALLOWED_CLASSES = {
    "span": {"math", "math-inline", "math-display", "math-error", "katex"},
    "div": {"math", "math-inline", "math-display"},
    # KaTeX marks the cells around numbered equations with these.
    "mtd": {"mtr-glue", "mml-eqn-num"},
    # Column alignment of Markdown tables, in place of style attributes.
    "th": {"align-left", "align-center", "align-right"},
    "td": {"align-left", "align-center", "align-right"},
}

_CODE_CLASS_RE = re.compile(r"language-[\w.+#-]{1,40}")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Keep only ``language-…`` classes on ``code`` (from fenced code info)."""
    if tag == "code" and attribute == "class":
        return value if _CODE_CLASS_RE.fullmatch(value) else None
    return value


@functools.cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=HTML_TAGS | MATHML_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
        allowed_classes=ALLOWED_CLASSES,
        strip_comments=True,
    )


def sanitize_html(html: str) -> str:
    """Return the HTML with everything outside the allowlist removed.

    Use it on rendered Markdown, ``text/html`` notebook outputs and paper
    metadata. Links get ``rel="nofollow ugc noopener"``; ``img`` keeps only
    ``src``, ``alt`` and ``title``. No ``style`` attribute survives, because
    the Content-Security-Policy would block it; table cells keep their
    ``align-left``, ``align-center`` or ``align-right`` class.
    """
    return _cleaner().clean(replace_lone_surrogates(html))


def replace_lone_surrogates(text: str) -> str:
    """Return the text with each lone surrogate replaced by U+FFFD.

    Such code points can come from JSON (``"\\ud800"``) but have no UTF-8
    form, so the Rust and C libraries used here would raise on them.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text
