"""The Dutch catalogue covers every interface string, and the committed .mo is the compiled .po."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
NL = ROOT / "search_app" / "translations" / "nl" / "LC_MESSAGES"
METHODS = [("search_app/**.py", "python"), ("search_app/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _key(msgid):
    return msgid if isinstance(msgid, str) else tuple(msgid)


def test_every_interface_string_has_a_dutch_translation():
    extracted = {_key(m[2]) for m in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS)}
    extracted = {k[0] if isinstance(k, tuple) else k for k in extracted}
    with (NL / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {(m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalog
                  if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)}
    assert len(extracted) > 50
    assert extracted - translated == set(), "run pybabel extract/update and translate the new strings"


def test_committed_mo_matches_po():
    with (NL / "messages.po").open("rb") as fh:
        po = {_key(m.id): _key(m.string) for m in read_po(fh) if m.id}
    with (NL / "messages.mo").open("rb") as fh:
        mo = {_key(m.id): _key(m.string) for m in read_mo(fh) if m.id}
    assert po == mo, "run `pybabel compile -d search_app/translations`"
