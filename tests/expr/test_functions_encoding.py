"""Encoding, hashing (SPEC §5.20) and identifiers (§5.21)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from functions_support import Fn, call, error_kind, same

from flowscript.expr import values


class TestJson:
    def test_encode_compact_with_key_order_and_unescaped_text(self) -> None:
        value = {"a": [1, "x", None], "é": True, "n": 1.5}
        assert call("json_encode", value) == '{"a":[1,"x",null],"é":true,"n":1.5}'

    def test_encode_indented(self) -> None:
        assert call("json_encode", {"a": 1}, 2) == '{\n  "a": 1\n}'
        assert call("json_encode", [1, [2]], 1) == "[\n 1,\n [\n  2\n ]\n]"
        assert call("json_encode", {"a": {}}, 4) == '{\n    "a": {}\n}'

    def test_indent_follows_json_stringify(self) -> None:
        assert call("json_encode", [1], 0) == "[1]"
        assert call("json_encode", [1], None) == "[1]"
        assert call("json_encode", [1], 50) == "[\n" + " " * 10 + "1\n]"
        assert error_kind("json_encode", [1], "2") == "argument"

    def test_scalars_and_numbers_canonical(self) -> None:
        assert call("json_encode", None) == "null"
        assert call("json_encode", "a\"b") == '"a\\"b"'
        assert call("json_encode", 1e21) == "1e+21"
        assert call("json_encode", 2.0) == "2"

    def test_a_function_is_an_argument_error(self) -> None:
        assert error_kind("json_encode", {"f": Fn(lambda: 1)}) == "argument"

    def test_pretty(self) -> None:
        assert call("pretty", {"a": [1]}) == '{\n  "a": [\n    1\n  ]\n}'
        assert call("pretty", {"a": 1}, 4) == '{\n    "a": 1\n}'

    @pytest.mark.parametrize(("text", "expected"), [
        ('{"a":1}', {"a": 1}),
        ("[1, 2.5, 2.0, true, null]", [1, 2.5, 2, True, None]),
        (' "x" ', "x"),
        ('{"a":1,"a":2}', {"a": 2}),
        ("nope", None),
        ("", None),
        ("NaN", None),
        ("[Infinity]", None),
        ("1e400", None),
        ("[" * 100_000, None),
        ("{'a': 1}", None),
    ])
    def test_decode(self, text: str, expected: Any) -> None:
        assert same(call("json_decode", text), expected)

    def test_decoded_values_obey_the_element_limit(self) -> None:
        big = "[" + ",".join(["0"] * (values.MAX_ELEMENTS + 1)) + "]"
        assert error_kind("json_decode", big) == "limit"
        nested = '{"a": [' + ",".join(["1"] * (values.MAX_ELEMENTS + 1)) + "]}"
        assert error_kind("json_decode", nested) == "limit"

    def test_decode_null_and_wrong_types(self) -> None:
        assert call("json_decode", None) is None
        assert error_kind("json_decode", 5) == "argument"

    def test_round_trip(self) -> None:
        value = {"a": [1, 2], "b": "c", "é": {"x": None}}
        assert call("json_decode", call("json_encode", value)) == value


class TestBase64:
    @pytest.mark.parametrize(("value", "expected"), [
        ("hello", "aGVsbG8="), ("héllo", "aMOpbGxv"), (None, ""), (12, "MTI="),
        ("\ud800", "77+9"),
    ])
    def test_encode(self, value: Any, expected: str) -> None:
        assert call("base64_encode", value) == expected

    @pytest.mark.parametrize(("value", "expected"), [
        ("aGVsbG8=", "hello"),
        ("aGVsbG8", "hello"),
        ("aMOpbGxv", "héllo"),
        ("76-_", "\ufbff"),
        ("76+/", "\ufbff"),
        ("76-_Pw", "\ufbff?"),
        ("76+/Pw==", "\ufbff?"),
        ("+/8=", None),
        ("", ""),
        ("%%", None),
        ("aGVsbG8===", None),
        ("aGVsbG8==", None),
        ("a", None),
        ("aGV sbG8=", None),
        ("/w==", None),
        (None, None),
    ])
    def test_decode(self, value: Any, expected: Any) -> None:
        assert call("base64_decode", value) == expected

    def test_decode_wrong_type(self) -> None:
        assert error_kind("base64_decode", 5) == "argument"


class TestUrl:
    @pytest.mark.parametrize(("value", "expected"), [
        ("a b&c/d?é", "a%20b%26c%2Fd%3F%C3%A9"),
        ("it's (ok)!", "it's%20(ok)!"),
        ("-_.!~*'()", "-_.!~*'()"),
        ("x&y=z", "x%26y%3Dz"),
        ("+#%", "%2B%23%25"),
        ("😀", "%F0%9F%98%80"),
        (None, ""),
        (1.5, "1.5"),
    ])
    def test_encode_is_encode_uri_component(self, value: Any, expected: str) -> None:
        assert call("url_encode", value) == expected

    @pytest.mark.parametrize(("value", "expected"), [
        ("a%20b", "a b"),
        ("a+b", "a+b"),
        ("x%26y%3Dz", "x&y=z"),
        ("%C3%A9t%C3%a9", "été"),
        ("%E0%A4%A", "%E0%A4%A"),
        ("100%", "100%"),
        ("%zz", "%zz"),
        ("%C3", "%C3"),
        ("%FF", "%FF"),
        ("é%20", "é "),
        ("plain", "plain"),
        (None, ""),
    ])
    def test_decode_leaves_malformed_input_unchanged(self, value: Any, expected: str) -> None:
        assert call("url_decode", value) == expected


class TestHashing:
    @pytest.mark.parametrize(("args", "expected"), [
        (["hello"], "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
        (["hello", "md5"], "5d41402abc4b2a76b9719d911017c592"),
        (["hello", "sha1"], "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
        (["abc", "SHA256"],
         "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (["abc", "sha512"], "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
        ([None, "md5"], "d41d8cd98f00b204e9800998ecf8427e"),
        ([1, "md5"], "c4ca4238a0b923820dcc509a6f75849b"),
    ])
    def test_hash(self, args: list[Any], expected: str) -> None:
        assert call("hash", *args) == expected

    def test_shorthands(self) -> None:
        assert call("md5", "abc") == "900150983cd24fb0d6963f7d28e17f72"
        assert call("sha1", "abc") == "a9993e364706816aba3e25717850c26c9cd0d89d"
        assert call("sha256", "abc") == call("hash", "abc")

    def test_hmac(self) -> None:
        assert call("hmac", "msg", "key") == \
            "2d93cbc1be167bcb1637a4a23cbff01a7878f0c50ee833954ea5221bb1b8c628"
        assert call("hmac", "msg", "key", "md5") == "18e3548c59ad40dd03907b7aeee71d67"
        assert call("hmac", "", "") == \
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"

    @pytest.mark.parametrize("algorithm", ["crc32", "sha3_256", "", None, 5])
    def test_unknown_algorithms_are_argument_errors(self, algorithm: Any) -> None:
        assert error_kind("hash", "x", algorithm) == "argument"
        assert error_kind("hmac", "x", "k", algorithm) == "argument"


UUID_V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_uuid_is_random_version_4_lower_case() -> None:
    ids = [call("uuid") for _ in range(200)]
    assert all(UUID_V4.match(value) for value in ids)
    assert len(set(ids)) == 200


def test_encoders_respect_the_string_limit() -> None:
    assert error_kind("url_encode", "é" * (values.MAX_STRING // 4)) == "limit"
