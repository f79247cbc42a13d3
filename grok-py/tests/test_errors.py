"""Exceptions: classes, attributes, messages (pattern and position), pickling;
wrong argument types raise TypeError; a Rust panic is a GrokError."""

from __future__ import annotations

import pickle

import pytest

import grok


def test_hierarchy() -> None:
    for cls in (
        grok.UnknownPatternError,
        grok.CycleError,
        grok.PatternSyntaxError,
        grok.ConversionError,
        grok.MatchLimitError,
        grok.PatternFileError,
        grok.SizeLimitError,
    ):
        assert issubclass(cls, grok.GrokError)
    assert issubclass(grok.GrokError, ValueError)
    assert issubclass(grok.UnknownTypeError, grok.PatternSyntaxError)


def test_unknown_pattern_names_the_closest_name() -> None:
    with pytest.raises(grok.UnknownPatternError) as info:
        grok.compile("x %{SYSLOGBAS:base}")
    e = info.value
    assert (e.name, e.suggestion, e.pattern, e.position) == ("SYSLOGBAS", "SYSLOGBASE", "x %{SYSLOGBAS:base}", 2)
    assert "did you mean SYSLOGBASE?" in str(e)
    assert "x %{SYSLOGBAS:base}\n      ^" in str(e)
    with pytest.raises(grok.UnknownPatternError) as info:
        grok.compile("%{XYZZYQWERTYUIOP}")
    assert info.value.suggestion is None


def test_cycle_reports_the_path() -> None:
    with pytest.raises(grok.CycleError) as info:
        grok.compile("%{A}", definitions={"A": "%{B}", "B": "x%{A}"})
    assert info.value.path == ["A", "B", "A"]
    assert "A -> B -> A" in str(info.value)


@pytest.mark.parametrize(
    "expr, position",
    [("%{IP:client", 0), ("%{}", 2), ("foo(bar", 3), ("x[", 1), ("a)b", 1)],
)
def test_syntax_errors_carry_pattern_and_position(expr: str, position: int) -> None:
    with pytest.raises(grok.PatternSyntaxError) as info:
        grok.compile(expr)
    e = info.value
    assert e.pattern == expr and e.position == position
    assert expr in str(e) and f"(at offset {position})" in str(e)


def test_syntax_error_inside_a_definition() -> None:
    with pytest.raises(grok.PatternSyntaxError) as info:
        grok.compile("%{A}", definitions={"A": "a(b"})
    assert "in definition A" in str(info.value) and info.value.pattern == "a(b"


def test_unknown_type() -> None:
    with pytest.raises(grok.UnknownTypeError) as info:
        grok.compile("%{INT:n:bogus}")
    assert info.value.type_name == "bogus" and "%{INT:n:bogus}" in str(info.value)


def test_conversion_error_in_strict_mode() -> None:
    p = grok.compile("%{WORD:n:int}", strict=True)
    assert p.match("12") == {"n": 12}
    with pytest.raises(grok.ConversionError) as info:
        p.match("twelve")
    e = info.value
    assert (e.field, e.value, e.pattern, e.index) == ("n", "twelve", "%{WORD:n:int}", None)
    assert "%{WORD:n:int}" in str(e)


def test_batch_errors_name_the_line_or_become_none() -> None:
    p = grok.compile("%{WORD:n:int}", strict=True)
    with pytest.raises(grok.ConversionError) as info:
        p.match_many(["1", "2", "x", "y"])
    assert info.value.index == 2 and str(info.value).startswith("lines[2]: ")
    assert p.match_many(["1", "x", "!"], errors="none") == [{"n": 1}, None, None]
    assert p.match_columns(["1", "x"], errors="none") == {"n": [1, None]}
    with pytest.raises(ValueError, match="errors must be"):
        p.match_many(["1"], errors="ignore")  # type: ignore[arg-type]


# A backreference is beyond the linear engine, so the exact engine runs;
# nested quantifiers make it exponential (grok-core's own limit test).
LIMITED = r"^(?<x>(?:a|aa)+)+\k<x>b$"
HOSTILE = "a" * 40 + "!b"


def test_match_limit() -> None:
    p = grok.compile(LIMITED, match_limit=50_000)
    assert not p.is_linear
    with pytest.raises(grok.MatchLimitError) as info:
        p.match(HOSTILE)
    assert info.value.limit == 50_000 and LIMITED in str(info.value)
    assert "gave up" in str(info.value)
    with pytest.raises(grok.MatchLimitError):
        p.is_match(HOSTILE)
    assert p.match("aab") == {"x": "a"}
    assert p.match_many(["aab", HOSTILE, "aab"], errors="none") == [{"x": "a"}, None, {"x": "a"}]
    with pytest.raises(grok.MatchLimitError) as info:
        p.match_many(["aab", HOSTILE])
    assert info.value.index == 1
    m = grok.Matcher(["%{INT:n}", LIMITED], match_limit=50_000)
    with pytest.raises(grok.MatchLimitError) as info:
        m.match(HOSTILE)
    assert LIMITED in str(info.value)


def test_size_limit() -> None:
    with pytest.raises(grok.SizeLimitError) as info:
        grok.compile("%{COMBINEDAPACHELOG}", size_limit=1000)
    assert info.value.limit == 1000 and "%{COMBINEDAPACHELOG}" in str(info.value)


def test_pattern_file_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(grok.PatternFileError, match="cannot read"):
        grok.compile("%{X}", patterns_dir=str(tmp_path / "missing"))
    (tmp_path / "bad").write_text("GOOD x\nNOREGEX\n")
    with pytest.raises(grok.PatternFileError, match=r"bad:2:"):
        grok.compile("%{GOOD}", patterns_dir=tmp_path)
    with pytest.raises(grok.PatternFileError, match="invalid pattern name"):
        grok.compile("%{X}", definitions={"bad name": "x"})


def test_errors_pickle_with_their_attributes() -> None:
    with pytest.raises(grok.UnknownPatternError) as info:
        grok.compile("%{SYSLOGBAS}")
    e = pickle.loads(pickle.dumps(info.value))
    assert type(e) is grok.UnknownPatternError
    assert (e.name, e.suggestion, e.pattern, e.position, str(e)) == (
        "SYSLOGBAS",
        "SYSLOGBASE",
        "%{SYSLOGBAS}",
        0,
        str(info.value),
    )


def test_errors_can_be_raised_by_users() -> None:
    e = grok.ConversionError("bad", field="f", value="v")
    assert (e.field, e.value, e.pattern, e.position, e.detail) == ("f", "v", None, None, "bad")
    assert str(grok.GrokError("plain")) == "plain"


@pytest.mark.parametrize(
    "call",
    [
        lambda: grok.compile(None),  # type: ignore[arg-type]
        lambda: grok.compile(b"%{INT}"),  # type: ignore[arg-type]
        lambda: grok.compile("%{INT}", ecs="yes"),  # type: ignore[arg-type]
        lambda: grok.compile("%{INT}", definitions=[("A", "a")]),  # type: ignore[arg-type]
        lambda: grok.compile("%{INT}", definitions={"A": 1}),  # type: ignore[dict-item]
        lambda: grok.compile("%{INT}", definitions={1: "a"}),  # type: ignore[dict-item]
        lambda: grok.compile("%{INT}", patterns_dir=3),  # type: ignore[arg-type]
        lambda: grok.compile("%{INT}").match(None),  # type: ignore[arg-type]
        lambda: grok.compile("%{INT}").match(b"1"),  # type: ignore[arg-type]
        lambda: grok.compile("%{INT}").match(1),  # type: ignore[arg-type]
        lambda: grok.compile("%{INT}").match_many(None),  # type: ignore[arg-type]
        lambda: grok.compile("%{INT}").match_many("123"),
        lambda: grok.compile("%{INT}").match_many(b"123"),  # type: ignore[arg-type]
        lambda: grok.compile("%{INT}").match_many(["1", None]),  # type: ignore[list-item]
        lambda: grok.compile("%{INT}").match_many(["1", b"2"]),  # type: ignore[list-item]
        lambda: grok.compile("%{INT}").match_columns([1]),  # type: ignore[list-item]
        lambda: grok.Matcher("%{INT}"),
        lambda: grok.Matcher([None]),  # type: ignore[list-item]
        lambda: grok.Matcher(["%{INT}"]).match(None),  # type: ignore[arg-type]
        lambda: grok.parse_file(None, "%{INT}"),  # type: ignore[arg-type]
        lambda: grok.parse_file(__file__, 3),  # type: ignore[arg-type]
    ],
)
def test_wrong_argument_types_raise_type_error(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError):
        call()


def test_type_error_messages_name_the_problem() -> None:
    p = grok.compile("%{INT}")
    with pytest.raises(TypeError, match=r"lines\[1\] must be str, not NoneType"):
        p.match_many(["1", None])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="not a single str"):
        p.match_many("123")
    with pytest.raises(TypeError, match="definitions"):
        grok.compile("%{INT}", definitions={"A": 1})  # type: ignore[dict-item]


def test_out_of_range_limits_raise() -> None:
    with pytest.raises(OverflowError):
        grok.compile("%{INT}", match_limit=-1)
    with pytest.raises(OverflowError):
        grok.compile("%{INT}", match_limit=2**40)


def test_a_rust_panic_is_a_grok_error() -> None:
    from grok import _grok

    with pytest.raises(grok.GrokError, match="internal error.*deliberate panic"):
        _grok._test_panic()
