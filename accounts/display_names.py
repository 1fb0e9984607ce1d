"""Rules for display names, so that no member can pass for another or for the site.

``validate_display_name`` is the one entry point: the profile form calls it,
and so must any other code that sets a display name. Names are compared by
their ``skeleton``: NFKC-normalised, invisible characters removed, Cyrillic
and Greek look-alikes of Latin letters (and ``0``, ``1``) replaced by the
Latin letter, and case-folded. Full-width ``BOB`` (U+FF22 U+FF2F U+FF22),
``b\\u200bob`` and ``B\\u043eb`` (a Cyrillic o) all have the skeleton ``bob``.

This is a subset of the skeleton of Unicode TS #39 (Security Mechanisms):
it covers the alphabets that look like Latin, not every confusable.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import Q, Value
from django.db.models.functions import Lower, Replace

# Display names that would pass for a label of the site itself.
RESERVED_DISPLAY_NAMES = frozenset(
    {"admin", "administrator", "moderator", "staff", "shortscience", "deleted"}
)

# Pages show these words in place of a member's name ("Anonymous (the
# summary's author)", "by Anonymous"), so no name may contain them.
RESERVED_WORDS = ("anonymous", "the summary's author")

# Unicode categories of characters that show nothing or are not characters:
# controls (Cc), format characters such as the zero-width space (Cf),
# surrogates (Cs), private use (Co) and unassigned code points (Cn).
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})

# Letters and symbols that fonts draw as blank space.
BLANK_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")

# Alphabets whose letters look like Latin ones: a word that mixes two of
# them is how a look-alike name is built.
LOOK_ALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")

# Letters of Cyrillic and Greek (and digits) drawn like a Latin letter,
# after the confusables data of Unicode TS #39. Each string of code points
# maps letter by letter onto the Latin string beside it.
_LOOK_ALIKES = (
    # Cyrillic capitals A, VE, IE, KA, EM, EN, O, ER, ES, TE, U, HA, DZE,
    # BYELORUSSIAN-UKRAINIAN I, JE, QA, WE, STRAIGHT U, SHHA and PALOCHKA
    (
        "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422"
        "\u0423\u0425\u0405\u0406\u0408\u051a\u051c\u04ae\u04ba\u04c0",
        "ABEKMHOPCTYXSIJQWYhI",
    ),
    # The same Cyrillic small letters, and KOMI DE
    (
        "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0455\u0456\u0458"
        "\u0501\u04bb\u051b\u051d\u04af\u04cf",
        "aeopcyxsijdhqwyl",
    ),
    # Greek capitals ALPHA, BETA, EPSILON, ZETA, ETA, IOTA, KAPPA, MU, NU,
    # OMICRON, RHO, TAU, UPSILON and CHI
    (
        "\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f"
        "\u03a1\u03a4\u03a5\u03a7",
        "ABEZHIKMNOPTYX",
    ),
    # Greek small ALPHA, OMICRON, IOTA, NU, RHO, UPSILON, CHI, GAMMA, KAPPA
    ("\u03b1\u03bf\u03b9\u03bd\u03c1\u03c5\u03c7\u03b3\u03ba", "aoivpuxyk"),
    # Digits and apostrophes
    ("01\u2018\u2019\u02bc", "ol'''"),
)
_CONFUSABLES = str.maketrans(
    {
        source: target
        for sources, targets in _LOOK_ALIKES
        for source, target in zip(sources, targets, strict=True)
    }
)


def normalize_display_name(name: str) -> str:
    """Return the name in NFKC form with runs of whitespace made one space."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


def skeleton(name: str) -> str:
    """Return the form of a name that look-alike names share."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(char for char in text if not _is_invisible(char))
    text = text.translate(_CONFUSABLES).casefold().translate(_CONFUSABLES)
    return " ".join(text.split())


def validate_display_name(name: str, *, member) -> str:
    """Check a new display name for ``member``; return it normalised.

    Raises ValidationError when the name contains an invisible or control
    character, mixes Latin with Cyrillic or Greek letters in one word,
    contains a label of the site, or reads the same as the username or
    display name of another member. An empty name is valid: pages then show
    the username.
    """
    typed = " ".join(name.split())
    if not typed:
        return typed
    _check_characters(typed)
    normalized = normalize_display_name(typed)
    _check_characters(normalized)
    _check_scripts(normalized)
    folded = skeleton(normalized)
    _check_reserved(typed, folded)
    _check_other_members(typed, folded, member)
    return normalized


def _is_invisible(char: str) -> bool:
    return unicodedata.category(char) in INVISIBLE_CATEGORIES or (
        char in BLANK_CHARACTERS
    )


def _check_characters(name: str) -> None:
    invisible = [char for char in name if _is_invisible(char)]
    if invisible:
        listed = ", ".join(
            f"U+{ord(char):04X} ({unicodedata.name(char, 'unnamed')})"
            for char in dict.fromkeys(invisible)
        )
        raise ValidationError(
            "A display name cannot contain invisible or control characters; "
            f"remove {listed}.",
            code="invisible",
        )


def _check_scripts(name: str) -> None:
    for word in _words(name):
        scripts = {_script(char) for char in word} & set(LOOK_ALIKE_SCRIPTS)
        if len(scripts) > 1:
            names = " and ".join(
                script.title() for script in LOOK_ALIKE_SCRIPTS if script in scripts
            )
            raise ValidationError(
                f"“{word}” mixes {names} letters in one word, so it can pass for "
                "another name; write each word in one alphabet.",
                code="mixed_script",
            )


def _words(name: str) -> list[str]:
    """Split a name into runs of letters and combining marks."""
    words, current = [], []
    for char in name:
        if unicodedata.category(char)[0] in "LM":
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def _script(char: str) -> str:
    """Return the first word of the character's Unicode name, such as LATIN."""
    return unicodedata.name(char, "").split(" ", 1)[0]


def _check_reserved(name: str, folded: str) -> None:
    if folded in RESERVED_DISPLAY_NAMES:
        raise ValidationError(
            f"“{name}” is reserved by the site; choose another display name.",
            code="reserved",
        )
    for word in RESERVED_WORDS:
        if skeleton(word) in folded:
            raise ValidationError(
                f"“{name}” contains “{word}”, which the site shows in place of "
                "hidden names; choose another display name.",
                code="reserved",
            )


def _check_other_members(name: str, folded: str, member) -> None:
    from .models import User

    # Usernames are ASCII, so their skeleton is the lower-case name with
    # 0 read as o and 1 as l, which the database can compute.
    username_skeleton = Replace(
        Replace(Lower("username"), Value("0"), Value("o")), Value("1"), Value("l")
    )
    others = (
        User.objects.exclude(pk=member.pk)
        .annotate(username_skeleton=username_skeleton)
        .filter(Q(username_skeleton=folded) | Q(display_name_skeleton=folded))
    )
    if others.exists():
        raise ValidationError(
            f"“{name}” reads the same as another member's name; choose a name "
            "that tells you apart.",
            code="taken",
        )
