"""Text that may enter the log: ids to one pattern, free text without control characters.

Everything a caller writes ends up in events, and from there in views, exports
and other systems: a NUL stops a PostgreSQL text column, a bidi override or a
line separator disguises an audit line. The edges (HTTP, tokens, the CLI) check
with these rules, and the command runner checks again, so no path writes them.
"""

from __future__ import annotations

import re
import unicodedata

from domain.kernel.errors import InvalidInput

# Ids: what a casino's systems, providers and people choose (uuids, numbers,
# slugs, "round-7:b2", e-mail-like names), never spaces or control characters.
ID_MAX = 128
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@+#=~-]{0,127}$"
TEXT_MAX = 500
# Free text (reasons, notes): printable characters and plain spaces only.
TEXT_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]*$"

_ID = re.compile(ID_PATTERN)
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def refused_character(text: str) -> str | None:
    """The first character no stored text may hold, if any."""
    for char in text:
        if char in _BIDI or unicodedata.category(char) in _REFUSED_CATEGORIES:
            return char
    return None


def check_text(text: str, field: str, *, max_length: int | None = TEXT_MAX) -> str:
    """Free text without control, separator or bidi-override characters; bounded
    unless `max_length` is None."""
    char = refused_character(text)
    if char is not None:
        raise InvalidInput(f"{field}: the character U+{ord(char):04X} is not allowed",
                           field=field)
    if max_length is not None and len(text) > max_length:
        raise InvalidInput(f"{field}: at most {max_length} characters", field=field)
    return text


def is_id(text: object) -> bool:
    return isinstance(text, str) and _ID.fullmatch(text) is not None


def check_id(text: object, field: str) -> str:
    """An id: 1 to 128 of A-Z a-z 0-9 . _ : @ + # = ~ -, starting with a letter or digit."""
    if not is_id(text):
        raise InvalidInput(
            f"{field}: an id is 1 to {ID_MAX} characters of A-Z, a-z, 0-9 and "
            "._:@+#=~- starting with a letter or digit", field=field)
    return text  # type: ignore[return-value]
