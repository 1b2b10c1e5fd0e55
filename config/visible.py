"""Name the characters a reader cannot see, so a refusal never prints one invisibly.

A BOM (U+FEFF) or a zero-width space pasted into a key makes it unknown while it looks right;
echoed as is, the message shows the right-looking key and leaves the reader lost."""
from __future__ import annotations

import unicodedata


def invisible(ch: str) -> bool:
    """Format and control characters (Cf, Cc: U+FEFF, U+200B, U+200E, U+00AD...), private or
    surrogate code points, and every space other than U+0020 (U+00A0, U+2009...)."""
    category = unicodedata.category(ch)
    return category in ("Cf", "Cc", "Co", "Cs") or (category == "Zs" and ch != " ")


def visible(text: str) -> str:
    """`text` with each invisible character written as <U+XXXX>: 'a\\ufeffb' -> 'a<U+FEFF>b'."""
    return "".join(f"<U+{ord(c):04X}>" if invisible(c) else c for c in text)


def named(text: str) -> str:
    """The invisible characters of `text`, each once: 'U+FEFF (ZERO WIDTH NO-BREAK SPACE)'."""
    return ", ".join(f"U+{ord(c):04X} ({unicodedata.name(c, 'unnamed')})"
                     for c in dict.fromkeys(text) if invisible(c))


def strip(text: str) -> str:
    return "".join(c for c in text if not invisible(c))
