"""grok.parse_file: streaming a file with bounded memory."""

from __future__ import annotations

from pathlib import Path

import pytest

import grok


def write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def test_one_result_per_line(tmp_path: Path) -> None:
    path = write(tmp_path / "log", b"a 1\r\nnope\n\nb 2\nc 3")  # CRLF, empty line, no final newline
    got = list(grok.parse_file(path, "%{WORD:w} %{INT:n:int}"))
    assert got == [{"w": "a", "n": 1}, None, None, {"w": "b", "n": 2}, {"w": "c", "n": 3}]


def test_many_chunks_agree_with_match_many(tmp_path: Path) -> None:
    lines = [f"host{i} {i}" if i % 5 else f"-- {i} --" for i in range(30_000)]
    path = write(tmp_path / "log", ("\n".join(lines) + "\n").encode())
    p = grok.compile("%{HOSTNAME:h} %{INT:n:int}")
    parser = grok.parse_file(path, p)
    assert list(parser) == p.match_many(lines)
    assert parser.lines_read == 30_000
    assert list(parser) == []  # exhausted


def test_invalid_utf8_policies(tmp_path: Path) -> None:
    path = write(tmp_path / "log", b"ok 1\nbad\xff 2\nok 3\n")
    expr = "%{DATA:w} %{INT:n:int}"
    assert list(grok.parse_file(path, expr)) == [
        {"w": "ok", "n": 1},
        {"w": "bad\ufffd", "n": 2},
        {"w": "ok", "n": 3},
    ]
    assert list(grok.parse_file(path, expr, encoding_errors="skip")) == [
        {"w": "ok", "n": 1},
        None,
        {"w": "ok", "n": 3},
    ]
    parser = grok.parse_file(path, expr, encoding_errors="strict")
    assert next(parser) == {"w": "ok", "n": 1}
    with pytest.raises(UnicodeDecodeError, match="line 2"):
        next(parser)
    with pytest.raises(StopIteration):
        next(parser)
    with pytest.raises(ValueError, match="encoding_errors"):
        grok.parse_file(path, expr, encoding_errors="ignore")  # type: ignore[arg-type]


def test_matcher_target(tmp_path: Path) -> None:
    path = write(tmp_path / "log", b"1\nx\n!\xff\n")
    m = grok.Matcher(["%{INT:n:int}", "%{WORD:w}"])
    assert list(grok.parse_file(path, m)) == [(0, {"n": 1}), (1, {"w": "x"}), None]
    assert list(grok.parse_file(path, m, encoding_errors="skip")) == [(0, {"n": 1}), (1, {"w": "x"}), None]
    all_ = grok.Matcher(["%{INT:n:int}", "%{NOTSPACE:s}"], break_on_match=False)
    assert list(grok.parse_file(path, all_))[:2] == [[(0, {"n": 1}), (1, {"s": "1"})], [(1, {"s": "x"})]]


def test_compile_options_with_a_str_pattern(tmp_path: Path) -> None:
    path = write(tmp_path / "log", b"hey! 10.0.0.1\n")
    got = list(grok.parse_file(path, "%{MINE:m} %{IP:[source][ip]}", ecs=True, definitions={"MINE": "[a-z]+!"}))
    assert got == [{"m": "hey!", "source": {"ip": "10.0.0.1"}}]
    with pytest.raises(TypeError, match="only when pattern is a str"):
        grok.parse_file(path, grok.compile("%{INT}"), ecs=True)


def test_errors_name_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "log", b"1\n2\nx\n")
    parser = grok.parse_file(path, "%{WORD:n:int}", strict=True)
    assert next(parser) == {"n": 1}
    with pytest.raises(grok.ConversionError) as info:
        list(parser)
    assert info.value.index == 2 and f"{path}:3:" in str(info.value)
    assert list(grok.parse_file(path, "%{WORD:n:int}", strict=True, errors="none")) == [{"n": 1}, {"n": 2}, None]


def test_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        grok.parse_file(tmp_path / "nope.log", "%{INT}")
    assert info.value.filename == str(tmp_path / "nope.log")


def test_context_manager_closes(tmp_path: Path) -> None:
    path = write(tmp_path / "log", b"1\n2\n3\n")
    with grok.parse_file(path, "%{INT:n}") as parser:
        assert next(parser) == {"n": "1"}
    assert list(parser) == []
    assert "lines_read=3" in repr(parser)
