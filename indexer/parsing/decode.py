"""Bytes to text without trusting the declared charset.

Sites sometimes declare ISO-8859-1 while sending UTF-8 (or the reverse);
valid UTF-8 is an unambiguous signal, so it wins, then the declared charset,
then bs4's detector. Never raises.
"""
from __future__ import annotations

import codecs

from bs4.dammit import UnicodeDammit


def decode(body: bytes, declared: str | None = None) -> tuple[str, str | None]:
    """Return (text, warning); warning says when the declared charset was wrong."""
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), None
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return body.decode("utf-16", errors="replace"), None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if declared and _norm(declared) not in ("utf8", "ascii", "usascii"):
            return text, f"declared charset {declared} but the bytes are UTF-8; decoded as UTF-8"
        return text, None
    if declared:
        try:
            text = body.decode(declared)
            if _norm(declared) in ("utf8",):
                raise UnicodeDecodeError("utf-8", b"", 0, 1, "invalid")
            return text, None
        except (LookupError, UnicodeDecodeError):
            pass
    dammit = UnicodeDammit(body, ["windows-1252"], is_html=True)
    text = dammit.unicode_markup if dammit.unicode_markup is not None else body.decode("latin-1")
    note = (f"declared charset {declared or 'none'} does not fit the bytes; "
            f"decoded as {dammit.original_encoding or 'latin-1'}")
    return text, note


def _norm(charset: str) -> str:
    return charset.lower().replace("-", "").replace("_", "")
