"""Resource limits of the file format (SPEC §1.1, §1.8), in one place.

Every limit is checked before the data it bounds is processed further, so a hostile file
costs at most one linear pass up to the first limit it crosses.
"""

from __future__ import annotations

#: Largest workflow file, in bytes (FS-FILE-004).
MAX_FILE_BYTES = 10 * 1024 * 1024
#: Largest frontmatter, in UTF-8 bytes (FS-SEC-007).
MAX_FRONTMATTER_BYTES = 1024 * 1024
#: Deepest element nesting of the body, ``<workflow>`` counting as 1 (FS-SEC-007).
MAX_DEPTH = 100
#: Most elements in the body (FS-SEC-007).
MAX_ELEMENTS = 100_000
#: Longest single attribute value or element text, in UTF-8 bytes (FS-SEC-007).
MAX_VALUE_BYTES = 1024 * 1024
#: Deepest nesting of YAML collections in the frontmatter (FS-SEC-007); the SPEC bounds
#: only its size, but every later consumer walks these values, so depth is bounded too.
MAX_YAML_DEPTH = 100


def utf8_length_exceeds(text: str, limit: int) -> bool:
    """Whether ``text`` needs more than ``limit`` bytes in UTF-8, encoding only when the
    code point count cannot decide (a code point takes 1 to 4 bytes)."""
    if len(text) > limit:
        return True
    if len(text) * 4 <= limit:
        return False
    return len(text.encode("utf-8", "surrogatepass")) > limit
