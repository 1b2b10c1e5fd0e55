"""Which characters a refusal names instead of printing (config/visible.py): one real character of
each category it treats as invisible, and near misses that must stay as they are.

The categories are Python's own: `unicodedata.category` of the venv's Python 3.11.7, whose Unicode
database is 14.0.0 (`unicodedata.unidata_version`). Cf is "Other, format" (U+FEFF, U+200B, U+200E,
U+00AD), Cc "Other, control" (U+0000-U+001F, U+007F), Co "Other, private use" (U+E000-U+F8FF and
planes 15-16), Cs "Other, surrogate" (U+D800-U+DFFF: a lone one reaches Python from a JSON escape
such as "\\ud800"), Zs "Separator, space" (U+0020 itself, U+00A0, U+2009, U+3000...). Each case
states its category and the test checks it, so that a Python with other data fails here rather than
testing something else. `unicodedata.name` has no name for control, private-use and surrogate code
points (it returns the default given), hence "unnamed".
"""
from __future__ import annotations

import unicodedata

import pytest

from config.visible import invisible, named, strip, visible

# (character, its category, how visible() writes it, how named() names it)
INVISIBLE = [
    ("\ufeff", "Cf", "<U+FEFF>", "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),   # a BOM pasted with a key
    ("\u200b", "Cf", "<U+200B>", "U+200B (ZERO WIDTH SPACE)"),
    ("\u200e", "Cf", "<U+200E>", "U+200E (LEFT-TO-RIGHT MARK)"),
    ("\u00ad", "Cf", "<U+00AD>", "U+00AD (SOFT HYPHEN)"),
    ("\x00", "Cc", "<U+0000>", "U+0000 (unnamed)"),
    ("\t", "Cc", "<U+0009>", "U+0009 (unnamed)"),
    ("\x7f", "Cc", "<U+007F>", "U+007F (unnamed)"),
    ("\ue000", "Co", "<U+E000>", "U+E000 (unnamed)"),
    ("\U000f0000", "Co", "<U+F0000>", "U+F0000 (unnamed)"),               # five hex digits, not cut to four
    ("\ud800", "Cs", "<U+D800>", "U+D800 (unnamed)"),
    ("\u00a0", "Zs", "<U+00A0>", "U+00A0 (NO-BREAK SPACE)"),
    ("\u2009", "Zs", "<U+2009>", "U+2009 (THIN SPACE)"),
    ("\u3000", "Zs", "<U+3000>", "U+3000 (IDEOGRAPHIC SPACE)"),
]
# Near misses: the one space a reader sees, letters of several scripts, an emoji, punctuation, a digit.
VISIBLE = [(" ", "Zs"), ("a", "Ll"), ("Z", "Lu"), ("\u00e9", "Ll"), ("\u042f", "Lu"), ("\U0001f600", "So"),
           ("-", "Pd"), ("_", "Pc"), ("0", "Nd")]


@pytest.mark.parametrize("ch,category,shown,name", INVISIBLE)
def test_each_invisible_category_is_named_and_written_out(ch, category, shown, name):
    assert unicodedata.category(ch) == category
    assert invisible(ch) is True
    assert visible(f"key{ch}x") == f"key{shown}x"
    assert named(f"key{ch}x") == name
    assert strip(f"key{ch}x") == "keyx"


@pytest.mark.parametrize("ch,category", VISIBLE)
def test_a_visible_character_is_left_as_it_is(ch, category):
    assert unicodedata.category(ch) == category
    assert invisible(ch) is False
    assert visible(f"a{ch}b") == f"a{ch}b"
    assert named(f"a{ch}b") == ""
    assert strip(f"a{ch}b") == f"a{ch}b"


def test_a_key_with_several_invisible_characters_names_each_once_in_order():
    key = "\ufeffobject\u200bLock\u00a0Days\u200b"
    assert visible(key) == "<U+FEFF>object<U+200B>Lock<U+00A0>Days<U+200B>"
    assert named(key) == ("U+FEFF (ZERO WIDTH NO-BREAK SPACE), U+200B (ZERO WIDTH SPACE), "
                          "U+00A0 (NO-BREAK SPACE)")
    assert strip(key) == "objectLockDays"
    assert visible("") == named("") == strip("") == ""
