"""The built-in function library (SPEC §5.12–§5.21), one module per family.

Importing this package registers every built-in in ``values.BUILTINS``. The evaluator also
reads the two tables here: the JavaScript method names that stand for built-ins
(``'a'.toUpperCase()``) and the ``JSON.`` / ``Math.`` namespaces (§5.7).
"""

from __future__ import annotations

from . import (  # noqa: F401  (imported to register their built-ins)
    conversions,
    dates,
    encoding,
    identity,
    lists,
    logic,
    numbers,
    objects,
    strings,
)

#: Method-syntax aliases: ``x.toUpperCase()`` is ``upper(x)``.
METHOD_ALIASES: dict[str, str] = {
    "toUpperCase": "upper",
    "toLowerCase": "lower",
    "startsWith": "starts_with",
    "endsWith": "ends_with",
    "indexOf": "index_of",
    "toString": "to_string",
    "toFixed": "to_fixed",
    "findIndex": "find_index",
    "flatMap": "flat_map",
}

#: ``JSON.parse(s)`` is ``json_decode(s)``; ``Math.max(…)`` is ``max(…)``.
NAMESPACES: dict[str, dict[str, str]] = {
    "JSON": {"parse": "json_decode", "stringify": "json_encode"},
    "Math": {name: name for name in ("abs", "ceil", "floor", "round", "trunc", "sign", "sqrt",
                                     "pow", "min", "max", "random")},
}

__all__ = ["METHOD_ALIASES", "NAMESPACES"]
