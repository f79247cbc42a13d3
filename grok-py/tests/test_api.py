"""The public API: compile, match, typed values, nesting, fields, repr,
Matcher, patterns()."""

from __future__ import annotations

import re

import pytest

import grok


def test_match_returns_typed_fields() -> None:
    p = grok.compile("%{WORD:w} %{INT:i:int} %{NUMBER:f:float} %{WORD:b:boolean} %{INT:s}")
    assert p.match("x 42 2.5 TRUE 7") == {"w": "x", "i": 42, "f": 2.5, "b": True, "s": "7"}
    result = p.match("y -1 3 false 0")
    assert result is not None
    assert type(result["i"]) is int and type(result["f"]) is float and result["b"] is False


def test_long_and_double_are_int_and_float() -> None:
    p = grok.compile("%{INT:a:long} %{NUMBER:b:double} %{WORD:c:bool}")
    assert p.match("9000000000 1.5 true") == {"a": 9000000000, "b": 1.5, "c": True}
    assert p.fields == {"a": "long", "b": "double", "c": "boolean"}


def test_first_match_anywhere_like_logstash() -> None:
    p = grok.compile("%{INT:n}")
    assert p.match("abc 123 456") == {"n": "123"}
    assert p.match("no digits") is None
    assert p.is_match("a1") and not p.is_match("a")


def test_a_field_captured_twice_is_a_list() -> None:
    p = grok.compile("%{INT:n:int} %{INT:n:int}")
    assert p.match("1 2") == {"n": [1, 2]}


def test_ecs_bracket_names_nest() -> None:
    p = grok.compile(
        "%{IP:[source][address]} %{INT:[http][response][status_code]:int} %{WORD:plain}",
        ecs=True,
    )
    assert p.match("10.0.0.1 404 ok") == {
        "source": {"address": "10.0.0.1"},
        "http": {"response": {"status_code": 404}},
        "plain": "ok",
    }
    assert list(p.fields) == ["[source][address]", "[http][response][status_code]", "plain"]


def test_ecs_library_differs_from_legacy() -> None:
    line = "Nov 15 03:35:36 host sshd[5850]: hello"
    legacy = grok.compile("%{SYSLOGBASE}").match(line)
    ecs = grok.compile("%{SYSLOGBASE}", ecs=True).match(line)
    assert legacy is not None and legacy["program"] == "sshd"
    assert ecs is not None and ecs["process"] == {"name": "sshd", "pid": 5850}


def test_properties_and_repr() -> None:
    p = grok.compile("%{IP:client}")
    assert repr(p) == "<grok.Pattern '%{IP:client}' fields=['client']>"
    assert p.pattern == "%{IP:client}"
    assert p.fields == {"client": "string"}
    assert "(?<g0>" in p.regex
    assert isinstance(p.is_linear, bool)
    assert (p.ecs, p.named_only, p.keep_empty, p.strict) == (False, True, False, False)


def test_compile_is_cached_like_re() -> None:
    a = grok.compile("%{IP:client} %{WORD:w}")
    assert grok.compile("%{IP:client} %{WORD:w}") is a
    assert grok.compile("%{IP:client} %{WORD:w}", ecs=True) is not a
    defs = {"MINE": "[a-z]+"}
    b = grok.compile("%{MINE:m}", definitions=defs)
    assert grok.compile("%{MINE:m}", definitions=dict(defs)) is b
    grok.purge()
    c = grok.compile("%{IP:client} %{WORD:w}")
    assert c is not a and c == a and hash(c) == hash(a)


def test_pattern_constructor_compiles_without_the_cache() -> None:
    p = grok.Pattern("%{INT:n:int}")
    assert p.match("5") == {"n": 5}
    assert p == grok.compile("%{INT:n:int}") and p is not grok.compile("%{INT:n:int}")
    assert p != grok.compile("%{INT:n:int}", strict=True)


def test_custom_definitions_and_patterns_dir(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "extra").write_text("# mine\nSHOUT [A-Z]+!\nGREETING %{SHOUT:shout} from %{IP:ip}\n")
    p = grok.compile("%{GREETING}", patterns_dir=str(tmp_path))
    assert p.match("HEY! from 10.0.0.1") == {"shout": "HEY!", "ip": "10.0.0.1"}
    # definitions apply after patterns_dir (later wins), as in Logstash
    q = grok.compile("%{GREETING}", patterns_dir=tmp_path, definitions={"SHOUT": "[a-z]+!"})
    assert q.match("hey! from 10.0.0.1") == {"shout": "hey!", "ip": "10.0.0.1"}
    # a single file works too
    r = grok.compile("%{SHOUT:s}", patterns_dir=tmp_path / "extra")
    assert r.match("OK!") == {"s": "OK!"}


def test_options() -> None:
    assert grok.compile("%{INT} %{WORD:w}", named_only=False).match("1 a") == {"INT": "1", "w": "a"}
    assert grok.compile("%{INT} %{WORD:w}").match("1 a") == {"w": "a"}
    p = grok.compile("(?<a>x?)%{WORD:w}", keep_empty=True)
    assert p.match("abc") == {"a": "", "w": "abc"}
    assert grok.compile("(?<a>x?)%{WORD:w}").match("abc") == {"w": "abc"}
    assert grok.compile("%{WORD:n:int}").match("abc") == {"n": 0}  # lenient: Ruby's to_i
    with pytest.raises(grok.ConversionError):
        grok.compile("%{WORD:n:int}", strict=True).match("abc")


def test_named_captures_in_raw_regex() -> None:
    assert grok.compile(r"(?<user>\w+)@(?<host>\w+)").match("me@box") == {"user": "me", "host": "box"}


def test_patterns_returns_the_library() -> None:
    legacy = grok.patterns()
    ecs = grok.patterns(ecs=True)
    assert legacy["INT"] == "(?:[+-]?(?:[0-9]+))"
    assert "COMBINEDAPACHELOG" in legacy and "COMBINEDAPACHELOG" in ecs
    assert legacy["SYSLOGBASE"] != ecs["SYSLOGBASE"]
    assert list(legacy) == sorted(legacy)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in legacy.items())


def test_matcher_first_match_wins() -> None:
    m = grok.Matcher(
        ["Accepted %{WORD:method} for %{USER:user}", "Failed %{WORD:method} for %{USER:user}", "%{WORD:word}"]
    )
    assert m.match("Failed password for root") == (1, {"method": "password", "user": "root"})
    assert m.match("???") is None
    assert m.is_match("hello") and not m.is_match("???")
    assert m.match_all("Failed password for root") == [
        (1, {"method": "password", "user": "root"}),
        (2, {"word": "Failed"}),
    ]
    assert len(m) == 3 and m.break_on_match
    assert [p.pattern for p in m.patterns] == [
        "Accepted %{WORD:method} for %{USER:user}",
        "Failed %{WORD:method} for %{USER:user}",
        "%{WORD:word}",
    ]
    assert repr(m).startswith("<grok.Matcher ['Accepted")


def test_matcher_without_break_on_match_returns_every_match() -> None:
    m = grok.Matcher(["%{INT:n:int}", "%{WORD:w}"], break_on_match=False)
    assert m.match("x 5") == [(0, {"n": 5}), (1, {"w": "x"})]
    assert m.match("!!!") == []
    assert m.match_many(["5", "!!"]) == [[(0, {"n": 5}), (1, {"w": "5"})], []]
    assert "break_on_match=False" in repr(m)


def test_matcher_options_apply_to_every_pattern() -> None:
    m = grok.Matcher(["%{MINE:m}", "%{IP:[source][ip]}"], ecs=True, definitions={"MINE": "z+"})
    assert m.match("zz") == (0, {"m": "zz"})
    assert m.match("1.2.3.4") == (1, {"source": {"ip": "1.2.3.4"}})


def test_matcher_batch() -> None:
    m = grok.Matcher(["%{INT:n:int}", "%{WORD:w}"])
    assert m.match_many(["a", "1", "!"]) == [(1, {"w": "a"}), (0, {"n": 1}), None]


def test_the_version_is_exported() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", grok.__version__)


def test_all_is_explicit_and_complete() -> None:
    assert sorted(grok.__all__) == sorted(set(grok.__all__))
    for name in grok.__all__:
        assert hasattr(grok, name), name
    public = {n for n in dir(grok) if not n.startswith("_")}
    assert public <= set(grok.__all__)
