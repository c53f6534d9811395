"""Redaction of secret values in every form the engine might record (SPEC §8.5, §12.4)."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowscript.engine.redact import Redactor, too_short

SECRET = 'p@ss w/rd+"\\ö?~~'


def forms_of(value: str) -> dict[str, str]:
    raw = value.encode()
    return {
        "plain": value,
        "quote": quote(value, safe=""),
        "quote default safe": quote(value),
        "quote_plus": quote_plus(value),
        "lower-case escapes": re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(),
                                     quote(value, safe="")),
        "base64": base64.b64encode(raw).decode(),
        "base64 unpadded": base64.b64encode(raw).decode().rstrip("="),
        "urlsafe base64": base64.urlsafe_b64encode(raw).decode(),
        "urlsafe base64 unpadded": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "json": json.dumps(value)[1:-1],
        "json non-ascii": json.dumps(value, ensure_ascii=False)[1:-1],
        "json twice": json.dumps(json.dumps(value)[1:-1])[1:-1],
    }


def test_the_secret_has_distinct_forms() -> None:
    forms = forms_of(SECRET)
    assert len(set(forms.values())) == len(forms)


@pytest.mark.parametrize("form", sorted(forms_of(SECRET)))
def test_every_form_is_replaced(form: str) -> None:
    encoded = forms_of(SECRET)[form]
    redactor = Redactor({"TOKEN": SECRET})
    assert redactor.redact_text(f"before {encoded} after") == "before *** after"


def test_every_occurrence_is_replaced() -> None:
    redactor = Redactor({"A": "alpha-key", "B": "beta-key"})
    text = "alpha-key,beta-key;alpha-key"
    assert redactor.redact_text(text) == "***,***;***"


def test_basic_auth_pairs_are_replaced() -> None:
    redactor = Redactor({})
    redactor.add_basic_pair("ada", "lovelace1815")
    header = "Basic " + base64.b64encode(b"ada:lovelace1815").decode()
    assert redactor.redact_text(header) == "Basic ***"
    assert redactor.redact_text("pw=lovelace1815") == "pw=***"
    urlsafe = base64.urlsafe_b64encode(b"ada:lovelace1815").decode().rstrip("=")
    assert redactor.redact_text(urlsafe) == "***"


def test_the_longest_form_wins() -> None:
    redactor = Redactor({"SHORT": "abcd", "LONG": "abcdefgh"})
    assert redactor.redact_text("xxabcdefghxx abcd") == "xx***xx ***"


def test_values_under_four_characters_are_not_redacted_but_reported() -> None:
    secrets = {"OK": "long-enough", "PIN": "123", "EMPTY": "", "FOUR": "abcd"}
    assert too_short(secrets) == ["EMPTY", "PIN"]
    redactor = Redactor(secrets)
    assert redactor.redact_text("123 abcd") == "123 ***"


def test_without_secrets_everything_is_a_no_op() -> None:
    redactor = Redactor({})
    value = {"a": ["b", {"c": "d"}]}
    assert not redactor
    assert redactor.redact_text("text") == "text"
    assert redactor.redact(value)[0] is value
    assert redactor.redact(value)[1] is False


def test_redact_walks_json_values_keys_included() -> None:
    redactor = Redactor({"T": "tok-123456"})
    value = {"headers": {"Authorization": "Bearer tok-123456"},
             "items": [1, None, True, "tok-123456", {"tok-123456": 2.5}], "n": 3}
    clean, changed = redactor.redact(value)
    assert changed
    assert clean == {"headers": {"Authorization": "Bearer ***"},
                     "items": [1, None, True, "***", {"***": 2.5}], "n": 3}
    assert value["headers"]["Authorization"] == "Bearer tok-123456"  # input untouched


def test_redact_returns_unchanged_parts_as_the_same_objects() -> None:
    redactor = Redactor({"T": "tok-123456"})
    untouched = {"deep": ["no", "secret", {"here": 1}]}
    clean, changed = redactor.redact(untouched)
    assert clean is untouched and not changed
    mixed = {"a": untouched, "b": "tok-123456"}
    clean, changed = redactor.redact(mixed)
    assert changed and clean["a"] is untouched and clean["b"] == "***"


def test_tuples_are_walked_as_lists() -> None:
    redactor = Redactor({"T": "tok-123456"})
    assert redactor.redact(("tok-123456", 1)) == (["***", 1], True)


def test_secrets_can_be_added_later() -> None:
    redactor = Redactor({"A": "first-secret"})
    redactor.add("second-secret")
    redactor.add("no")
    assert redactor.redact_text("first-secret second-secret no") == "*** *** no"


@given(secret=st.text(min_size=4, max_size=20).filter(lambda s: "*" not in s),
       before=st.text(max_size=20), after=st.text(max_size=20))
def test_no_form_of_a_secret_survives_in_any_text(secret: str, before: str,
                                                  after: str) -> None:
    redactor = Redactor({"S": secret})
    forms = forms_of(secret).values()
    for form in forms:
        clean = redactor.redact_text(before + form + after)
        assert not any(other in clean for other in forms)


def test_contains_secret_checks_text_such_as_serialised_json() -> None:
    redactor = Redactor({"T": 'quo"te-secret'})
    assert redactor.contains_secret(json.dumps({"k": 'quo"te-secret'}))
    assert not redactor.contains_secret(json.dumps({"k": "harmless"}))
    assert not Redactor().contains_secret("anything")


def test_a_secret_only_in_a_key_is_found() -> None:
    redactor = Redactor({"T": "tok-123456"})
    assert redactor.redact({"outer": [{"tok-123456": None}]}) == ({"outer": [{"***": None}]},
                                                                  True)
