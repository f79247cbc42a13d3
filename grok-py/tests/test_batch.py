"""Batch calls: match_many (1M lines), match_columns, match_arrow."""

from __future__ import annotations

import sys

import pytest

import grok


def test_match_many_agrees_with_match(apache_lines: list[str]) -> None:
    p = grok.compile("%{COMBINEDAPACHELOG}")
    assert p.match_many(apache_lines) == [p.match(line) for line in apache_lines]
    first = p.match_many(apache_lines)[0]
    assert first is not None and first["clientip"] == "127.0.0.1" and first["response"] == "200"


def test_match_many_nested_and_repeated_fields() -> None:
    p = grok.compile("%{IP:[source][ip]} %{INT:[source][port]:int} %{WORD:t} %{WORD:t}", ecs=True)
    lines = ["1.2.3.4 80 a b", "x", "5.6.7.8 8080 c d"]
    assert p.match_many(lines) == [
        {"source": {"ip": "1.2.3.4", "port": 80}, "t": ["a", "b"]},
        None,
        {"source": {"ip": "5.6.7.8", "port": 8080}, "t": ["c", "d"]},
    ]


@pytest.mark.timeout(300)
def test_a_million_lines() -> None:
    p = grok.compile("%{IPV4:ip} %{WORD:verb} /%{NOTSPACE:path} %{INT:status:int} %{NUMBER:secs:float}")
    n = 1_000_000
    lines = [
        f"10.{i % 250}.{i % 7}.{i % 200} {'GET' if i % 2 else 'POST'} /p/{i} {200 + i % 5} {i % 1000 / 10}"
        if i % 10
        else f"garbage line {i}"
        for i in range(n)
    ]
    results = p.match_many(lines)
    assert len(results) == n
    assert sum(r is None for r in results) == n // 10
    for i in (1, 2, 77, 999_999, 123_457):
        r = results[i]
        assert r == p.match(lines[i])
        assert r is not None and r["path"] == f"p/{i}" and r["status"] == 200 + i % 5
        assert r["secs"] == pytest.approx(i % 1000 / 10)
    # field-name strings are shared (interned once per pattern), not per line
    keys = [next(iter(r)) for r in results[1:1000] if r is not None]
    assert all(k is keys[0] for k in keys)
    del results
    columns = p.match_columns(lines)
    assert list(columns) == ["ip", "verb", "path", "status", "secs"]
    assert all(len(c) == n for c in columns.values())
    assert columns["status"][0] is None and columns["status"][1] == 201


def test_match_many_keeps_field_order_and_values_across_shapes() -> None:
    # Flat dicts of more than five keys are copied from a per-shape template
    # that keeps recent values of its fields: every line must still get its
    # own values, in field order, whatever the previous lines had.
    p = grok.compile(
        "%{WORD:a} %{WORD:b} %{INT:n:int} (?:%{WORD:opt} )?%{WORD:c} %{WORD:d} %{WORD:t} %{WORD:t}"
    )
    lines, expected = [], []
    for i in range(20_000):
        a = ["GET", "POST", "HEAD"][i // 700 % 3]
        b = "same" if i % 97 else f"b{i}"
        opt = f"o{i % 3}" if i % 5 == 0 else None
        c, d = f"c{i // 50}", f"d{i}"
        lines.append(f"{a} {b} {i} {opt + ' ' if opt else ''}{c} {d} x{i % 2} y")
        want = {"a": a, "b": b, "n": i}
        if opt:
            want["opt"] = opt
        want.update({"c": c, "d": d, "t": [f"x{i % 2}", "y"]})
        expected.append(list(want.items()))
    results = [r for r in p.match_many(lines) if r is not None]
    assert [list(r.items()) for r in results] == expected
    # A caller's changes to one result reach no other.
    results[0]["a"] = "changed"
    results[0]["t"].append("z")
    del results[1]["b"]
    again = [r for r in p.match_many(lines[:3]) if r is not None]
    assert [list(r.items()) for r in again] == expected[:3]


def test_match_many_of_more_than_64_fields() -> None:
    p = grok.compile(" ".join(f"%{{WORD:f{i}}}" for i in range(70)))
    line = " ".join(f"w{i}" for i in range(70))
    for r in p.match_many([line] * 3):
        assert r is not None and list(r.items()) == [(f"f{i}", f"w{i}") for i in range(70)]


def test_errors_in_a_later_chunk_name_their_line() -> None:
    # Batches are matched in chunks of 8192 lines, the next chunk on a worker
    # thread while the current one becomes dicts: an error in the third
    # chunk must still name its line, and `errors="none"` keep the rest.
    p = grok.compile("%{WORD:w} %{WORD:n:int}", strict=True)
    lines = [f"a {i}" for i in range(30_000)]
    lines[20_001] = "a b"
    with pytest.raises(grok.ConversionError) as info:
        p.match_many(lines)
    assert info.value.index == 20_001
    assert str(info.value).startswith("lines[20001]: ")
    results = p.match_many(lines, errors="none")
    assert results[20_001] is None
    assert results[20_000] == {"w": "a", "n": 20_000}
    assert results[29_999] == {"w": "a", "n": 29_999}
    m = grok.Matcher(["%{INT:only}$", "%{WORD:w} %{WORD:n:int}"], strict=True)
    with pytest.raises(grok.ConversionError) as info:
        m.match_many(lines)
    assert info.value.index == 20_001
    # The message names the expression that raised, not the list's first.
    assert info.value.pattern == "%{WORD:w} %{WORD:n:int}"
    assert str(info.value).endswith("\n    %{WORD:w} %{WORD:n:int}")


def test_match_columns(apache_lines: list[str]) -> None:
    p = grok.compile("%{IP:[client][ip]} %{INT:n:int}( %{WORD:w})?", ecs=True)
    cols = p.match_columns(["1.1.1.1 5 x", "nope", "2.2.2.2 6"])
    assert cols == {
        "[client][ip]": ["1.1.1.1", None, "2.2.2.2"],
        "n": [5, None, 6],
        "w": ["x", None, None],
    }


def test_match_arrow_types() -> None:
    pa = pytest.importorskip("pyarrow")
    p = grok.compile(
        "%{IP:[client][ip]} %{INT:n:int} %{NUMBER:f:float} %{WORD:b:boolean} %{WORD:t} %{WORD:t}",
        ecs=True,
    )
    batch = p.match_arrow(["1.1.1.1 5 1.5 true a b", "nope", "2.2.2.2 6 2 false c d"])
    assert isinstance(batch, pa.RecordBatch)
    assert batch.schema == pa.schema(
        [
            ("[client][ip]", pa.string()),
            ("n", pa.int64()),
            ("f", pa.float64()),
            ("b", pa.bool_()),
            ("t", pa.list_(pa.string())),
        ]
    )
    assert batch.num_rows == 3
    assert batch.to_pydict() == {
        "[client][ip]": ["1.1.1.1", None, "2.2.2.2"],
        "n": [5, None, 6],
        "f": [1.5, None, 2.0],
        "b": [True, None, False],
        "t": [["a", "b"], None, ["c", "d"]],
    }
    table = pa.Table.from_batches([batch])
    assert table.column("n").null_count == 1


def test_match_arrow_mixed_repeated_types_and_keep_empty() -> None:
    pytest.importorskip("pyarrow")
    p = grok.compile("%{INT:a:int} %{WORD:a}")
    assert p.match_arrow(["1 x"]).to_pydict() == {"a": [["1", "x"]]}
    # keep_empty keeps an empty capture of a typed field as "": null in arrow
    q = grok.compile("%{DIGITS:n:int}x", definitions={"DIGITS": "[0-9]*"}, keep_empty=True)
    assert q.match_many(["x", "5x"]) == [{"n": ""}, {"n": 5}]
    assert q.match_arrow(["x", "5x"]).to_pydict() == {"n": [None, 5]}


def test_match_arrow_without_pyarrow_raises_a_clear_import_error(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match="pip install pyarrow"):
        grok.compile("%{INT:n}").match_arrow(["1"])


def test_import_grok_does_not_import_pyarrow_or_dask() -> None:
    import subprocess

    code = "import sys, grok; grok.compile('%{INT:n}').match('1'); print(sorted(m for m in ('pyarrow', 'dask', 'numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, text=True)
    assert out.stdout.strip() == "[]"
