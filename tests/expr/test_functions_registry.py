"""The built-in table as a whole: every SPEC name with its arity, the method aliases and
namespaces, and a property check that no built-in crashes or mutates its arguments."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from functions_support import FakeContext, Fn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowscript.errors import ExpressionError
from flowscript.expr.functions import METHOD_ALIASES, NAMESPACES
from flowscript.expr.values import BUILTINS

V = None  # variadic
#: (min, max) arguments of every built-in, read off the signatures of SPEC §5.13–§5.21.
ARITY: dict[str, tuple[int, int | None]] = {
    # §5.13
    "upper": (1, 1), "lower": (1, 1), "capitalize": (1, 1), "trim": (1, 1),
    "trim_start": (1, 1), "trim_end": (1, 1), "replace": (3, 3), "regex_replace": (3, 4),
    "split": (2, 3), "join": (1, 2), "concat": (1, V), "truncate": (2, 3),
    "includes": (2, 2), "contains": (2, 2), "starts_with": (2, 2), "ends_with": (2, 2),
    "substring": (2, 3), "slice": (2, 3), "pad_start": (2, 3), "pad_end": (2, 3),
    "repeat": (2, 2), "char_at": (2, 2), "index_of": (2, 2), "match": (2, 3),
    "match_all": (2, 3), "test": (2, 3), "html_escape": (1, 1),
    # §5.14
    "length": (1, 1), "len": (1, 1), "size": (1, 1), "first": (1, 1), "last": (1, 1),
    "at": (2, 2), "take": (2, 2), "skip": (2, 2), "flatten": (1, 2), "unique": (1, 1),
    "reverse": (1, 1), "sort": (1, 3), "sort_by": (2, 3), "compact": (1, 1),
    "count": (1, 2), "every": (2, 2), "some": (2, 2), "find": (2, 2), "find_index": (2, 2),
    "map": (2, 2), "filter": (2, 2), "flat_map": (2, 2), "reduce": (2, 3),
    "group_by": (2, 2), "pluck": (2, 2), "chunk": (2, 2), "zip": (1, V), "range": (1, 3),
    "array_concat": (1, V),
    # §5.15
    "keys": (1, 1), "values": (1, 1), "entries": (1, 1), "from_entries": (1, 1),
    "get": (2, 3), "set": (3, 3), "has": (2, 2), "merge": (1, V), "deep_merge": (1, V),
    "pick": (2, 2), "omit": (2, 2), "delete": (2, 2), "equals": (2, 2), "clone": (1, 1),
    # §5.16
    "add": (2, V), "multiply": (2, V), "subtract": (2, 2), "divide": (2, 2), "mod": (2, 2),
    "min": (1, V), "max": (1, V), "sum": (1, 1), "avg": (1, 1), "round": (1, 2),
    "floor": (1, 1), "ceil": (1, 1), "trunc": (1, 1), "abs": (1, 1), "sign": (1, 1),
    "sqrt": (1, 1), "pow": (2, 2), "clamp": (3, 3), "percent": (2, 3), "to_fixed": (1, 2),
    "random": (0, 0), "random_int": (2, 2),
    # §5.17
    "typeof": (1, 1), "is_null": (1, 1), "is_array": (1, 1), "is_object": (1, 1),
    "is_string": (1, 1), "is_number": (1, 1), "is_boolean": (1, 1), "is_integer": (1, 1),
    "is_empty": (1, 1), "to_string": (1, 1), "to_number": (1, 2), "to_integer": (1, 2),
    "to_boolean": (1, 1), "to_array": (1, 1),
    # §5.18
    "coalesce": (1, V), "default": (2, 2), "if_else": (3, 3), "switch": (2, 3),
    "is_truthy": (1, 1), "is_falsy": (1, 1),
    # §5.19
    "now": (0, 1), "date": (0, 2), "time": (0, 2), "timestamp": (0, 0),
    "from_timestamp": (1, 2), "to_timestamp": (1, 1), "parse_date": (1, 3),
    "format_date": (2, 3), "add_time": (2, 2), "subtract_time": (2, 2), "diff": (2, 3),
    "start_of": (2, 2), "end_of": (2, 2), "get_part": (2, 2), "is_before": (2, 2),
    "is_after": (2, 2), "relative": (1, 1), "duration": (1, 1),
    # §5.20
    "json_encode": (1, 2), "json_decode": (1, 1), "pretty": (1, 2), "base64_encode": (1, 1),
    "base64_decode": (1, 1), "url_encode": (1, 1), "url_decode": (1, 1), "hash": (1, 2),
    "md5": (1, 1), "sha1": (1, 1), "sha256": (1, 1), "hmac": (2, 3),
    # §5.21
    "uuid": (0, 0),
}


def test_every_spec_function_is_registered_and_nothing_else() -> None:
    assert set(BUILTINS) == set(ARITY)


@pytest.mark.parametrize("name", sorted(ARITY))
def test_arity_matches_the_spec_signature(name: str) -> None:
    entry = BUILTINS[name]
    assert (entry.min_args, entry.max_args) == ARITY[name]


def test_aliases_share_one_entry() -> None:
    assert BUILTINS["len"] is BUILTINS["length"] is BUILTINS["size"]
    assert BUILTINS["contains"] is BUILTINS["includes"]


def test_method_aliases_and_namespaces_name_real_built_ins() -> None:
    assert METHOD_ALIASES["toUpperCase"] == "upper"
    assert METHOD_ALIASES["flatMap"] == "flat_map"
    assert len(METHOD_ALIASES) == 9
    assert NAMESPACES["JSON"] == {"parse": "json_decode", "stringify": "json_encode"}
    assert set(NAMESPACES["Math"]) == {"abs", "ceil", "floor", "round", "trunc", "sign",
                                       "sqrt", "pow", "min", "max", "random"}
    targets = [*METHOD_ALIASES.values(), *NAMESPACES["JSON"].values(),
               *NAMESPACES["Math"].values()]
    assert all(target in BUILTINS for target in targets)


# ---------------------------------------------------------------------------------------
# Robustness: arbitrary JSON-like arguments never escape as a non-FlowScript exception.

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32), st.text(max_size=12),
    st.sampled_from(["2025-03-09", "a.b.0", "P1M", "1h", "UTC", "desc", "days", "YYYY",
                     "[0-9]+", "md5", "%41", "aGVsbG8=", "{\"a\": 1}"]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=4), inner, max_size=4)),
    max_leaves=12)
LAMBDAS = st.sampled_from([Fn(lambda x: x), Fn(lambda x, i: i), Fn(lambda a, x: [a, x]),
                           Fn(lambda: None)])
ARGUMENT = st.one_of(VALUES, LAMBDAS)


@st.composite
def calls(draw: st.DrawFn) -> tuple[str, list[Any]]:
    name = draw(st.sampled_from(sorted(ARITY)))
    low, high = ARITY[name]
    count = draw(st.integers(low, low + 3 if high is None else high))
    return name, [draw(ARGUMENT) for _ in range(count)]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls())
def test_built_ins_raise_only_expression_errors_and_never_mutate(
        call_spec: tuple[str, list[Any]]) -> None:
    name, args = call_spec
    entry = BUILTINS[name]
    before = copy.deepcopy(args)
    try:
        if entry.wants_context:
            entry.fn(FakeContext(), *args)
        else:
            entry.fn(*args)
    except ExpressionError:
        pass
    assert repr(args) == repr(before)
