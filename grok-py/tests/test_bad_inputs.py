"""Hostile or odd inputs give results or exceptions, never a crash."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import grok


@pytest.fixture(scope="module")
def p() -> grok.Pattern:
    return grok.compile("%{WORD:w} %{GREEDYDATA:rest}")


def test_lone_surrogates_are_matched_as_replacement_characters(p: grok.Pattern) -> None:
    # Strings decoded with errors="surrogateescape" carry lone surrogates;
    # they are matched as U+FFFD (never an error, never a crash).
    assert p.match("abc \ud800 x") == {"w": "abc", "rest": "\ufffd x"}
    assert p.match("\udcff\udcfe abc def") == {"w": "abc", "rest": "def"}
    assert p.match_many(["a \ud800", "b c"]) == [{"w": "a", "rest": "\ufffd"}, {"w": "b", "rest": "c"}]
    assert p.match_columns(["a \udfff"]) == {"w": ["a"], "rest": ["\ufffd"]}
    assert isinstance(p.is_match("\ud800"), bool)


def test_surrogates_in_a_pattern_raise_a_value_error() -> None:
    with pytest.raises(ValueError):
        grok.compile("%{WORD:w}\ud800")


def test_nul_bytes_are_ordinary_characters(p: grok.Pattern) -> None:
    assert p.match("ab \x00c\x00d") == {"w": "ab", "rest": "\x00c\x00d"}
    assert p.match("ab\x00 cd") is None  # no word directly before a space
    assert grok.compile("(?<z>\x00+)").match("a\x00\x00b") == {"z": "\x00\x00"}
    assert p.match("\x00" * 10) is None


def test_non_ascii_text_and_offsets() -> None:
    q = grok.compile("%{DATA:k}=%{GREEDYDATA:v}")
    assert q.match("ключ=значение 🎉") == {"k": "ключ", "v": "значение 🎉"}
    with pytest.raises(grok.UnknownPatternError) as info:
        grok.compile("é🎉 %{NOPE}")
    assert info.value.position == 3  # a character offset, as Python indexes str


def test_empty_and_whitespace_inputs(p: grok.Pattern) -> None:
    assert p.match("") is None
    assert p.match_many([]) == []
    assert p.match_columns([]) == {"w": [], "rest": []}
    assert grok.compile("").match("anything") == {}
    assert grok.compile("(?<x>a*)").match("bbb") == {}


def test_long_lines_and_newlines(p: grok.Pattern) -> None:
    long = "w " + "x" * 1_000_000
    result = p.match(long)
    assert result is not None and len(result["rest"]) == 1_000_000
    # `.` matches a newline, as in Logstash (Ruby multiline)
    assert p.match("a b\nc") == {"w": "a", "rest": "b\nc"}


def test_iterables_other_than_lists(p: grok.Pattern) -> None:
    lines = ["a b", "c d"]
    expected = [{"w": "a", "rest": "b"}, {"w": "c", "rest": "d"}]
    assert p.match_many(tuple(lines)) == expected
    assert p.match_many(iter(lines)) == expected
    assert p.match_many(line for line in lines) == expected

    class Weird(str):
        pass

    assert p.match_many([Weird("a b")]) == [{"w": "a", "rest": "b"}]


def test_an_iterator_that_raises_propagates(p: grok.Pattern) -> None:
    def broken() -> Iterator[str]:
        yield "a b"
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        p.match_many(broken())


@pytest.mark.parametrize(
    "expr",
    ["%{", "%{A", "%{:x}", "%{INT:}", "%{INT::int}", "(?<", "(?<>x)", "[[[[", "\\", "(?P<x>a)", "a{99999999}",
     "%%{INT}", "%{INT:[a][b]?}", "(?<[a][b]>x)", "((((((((((((((((((((x))))))))))))))))))))"],
)
def test_odd_expressions_compile_or_raise_grok_error(expr: str) -> None:
    try:
        p = grok.compile(expr)
    except grok.GrokError:
        return
    p.match("x 1 a%1")
    p.match_many(["x", ""])


def test_deep_nesting_is_bounded() -> None:
    with pytest.raises(grok.GrokError):
        grok.compile("(" * 100_000 + ")" * 100_000)
