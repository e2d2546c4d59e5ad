"""Text helpers shared by every feed writer.

Titles and abstracts come from upstream sources and staff forms, so they may hold
characters that XML 1.0 forbids (C0 controls, lone surrogates, U+FFFE/U+FFFF). lxml
refuses such strings outright and a UTF-8 encoder chokes on lone surrogates, so every
writer cleans its input with :func:`sanitize` before building anything.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import Any, TypeVar, cast

T = TypeVar("T")

# Everything outside the XML 1.0 ``Char`` production.
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Return ``text`` without the characters XML 1.0 forbids."""
    # Nearly every string is clean: a search is cheaper than a substitution.
    return _NOT_XML_CHAR.sub("", text) if _NOT_XML_CHAR.search(text) else text


def sanitize(value: T) -> T:
    """Return ``value`` with :func:`xml_safe` applied to every string inside it.

    Walks frozen dataclasses, tuples and strings; anything else is returned unchanged.
    """
    return cast(T, _sanitize(value))


# Field values with no strings inside: skipped without a call.
_ATOMS = frozenset({int, float, bool, type(None), datetime})


def _sanitize(value: Any) -> Any:
    """The cleaned value, or ``value`` itself when nothing in it needed cleaning (the usual
    case, which then costs no copies). Strings and atoms among a dataclass's fields are
    handled in its loop: a feed build walks every field of every item."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, tuple):
        cleaned = tuple(_sanitize(v) for v in value)
        return value if all(a is b for a, b in zip(cleaned, value, strict=True)) else cleaned
    names = _init_fields(type(value))
    if not names:
        return value
    changes = {}
    for name in names:
        before = getattr(value, name)
        kind = type(before)
        if kind in _ATOMS or (kind is str and _NOT_XML_CHAR.search(before) is None):
            continue
        after = _sanitize(before)
        if after is not before:
            changes[name] = after
    return dataclasses.replace(value, **changes) if changes else value


_FIELDS: dict[type, tuple[str, ...]] = {}


def _init_fields(cls: type) -> tuple[str, ...]:
    """The fields a dataclass is made from; none for any other type (numbers, dates)."""
    names = _FIELDS.get(cls)
    if names is None:
        fields = dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else ()
        names = _FIELDS[cls] = tuple(f.name for f in fields if f.init)
    return names


def whole_seconds(duration: float | None) -> int | None:
    """Round a duration in seconds to the whole number podcast apps expect."""
    return None if duration is None else int(round(duration))
