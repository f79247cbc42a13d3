"""Compiled objects pickle (custom definitions travel along) and are shared
safely between threads."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import grok

T = TypeVar("T")


def roundtrip(obj: T) -> T:
    result: T = pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
    return result


def test_pattern_pickles_with_all_options() -> None:
    p = grok.compile(
        "%{MINE:m} %{INT:[n][v]:int}",
        ecs=True,
        definitions={"MINE": "[a-z]+!"},
        named_only=False,
        keep_empty=True,
        strict=True,
        match_limit=12345,
        size_limit=1 << 22,
    )
    q = roundtrip(p)
    assert q == p and hash(q) == hash(p)
    assert q.match("hey! 12") == p.match("hey! 12") == {"m": "hey!", "n": {"v": 12}}
    assert (q.ecs, q.named_only, q.keep_empty, q.strict) == (True, False, True, True)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(p, protocol=protocol)) == p


def test_definitions_from_patterns_dir_travel_along(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "mine").write_text("SHOUT [A-Z]+!\n")
    p = grok.compile("%{SHOUT:s}", patterns_dir=tmp_path)
    data = pickle.dumps(p)
    (tmp_path / "mine").unlink()  # the directory need not exist where it is unpickled
    grok.purge()
    q = pickle.loads(data)
    assert q.match("HEY!") == {"s": "HEY!"} and q == p


def test_unpickling_in_a_fresh_interpreter() -> None:
    p = grok.compile("%{MINE:m}", definitions={"MINE": "z+"})
    code = "import pickle, sys; p = pickle.loads(sys.stdin.buffer.read()); print(p.match('zzz'))"
    out = subprocess.run(
        [sys.executable, "-c", code], input=pickle.dumps(p), capture_output=True, check=True
    )
    assert out.stdout.decode().strip() == "{'m': 'zzz'}"


def test_matcher_pickles() -> None:
    m = grok.Matcher(["%{MINE:m}", "%{INT:n:int}"], break_on_match=False, definitions={"MINE": "[a-z]+"})
    n = roundtrip(m)
    assert n == m and n.match("ab 12") == m.match("ab 12") == [(0, {"m": "ab"}), (1, {"n": 12})]
    assert not n.break_on_match


def test_copy_returns_the_same_immutable_object() -> None:
    p = grok.compile("%{INT:n}")
    m = grok.Matcher(["%{INT:n}"])
    assert copy.copy(p) is p and copy.deepcopy(p) is p
    assert copy.copy(m) is m and copy.deepcopy({"m": m})["m"] is m


def test_eight_threads_match_at_once_with_identical_results() -> None:
    p = grok.compile("%{COMBINEDAPACHELOG}")
    m = grok.Matcher(["%{COMBINEDAPACHELOG}", "%{SYSLOGLINE}", "%{WORD:w}"])
    lines = [
        f'10.0.{i % 256}.{i % 7} - user{i} [10/Oct/2000:13:55:{i % 60:02d} -0700] '
        f'"GET /p/{i} HTTP/1.1" {200 + i % 300} {i * 3} "-" "agent {i}"'
        if i % 3
        else f"Nov 15 03:35:{i % 60:02d} host prog[{i}]: message {i}"
        for i in range(3000)
    ]
    want_p = [p.match(line) for line in lines]
    want_m = [m.match(line) for line in lines]
    assert sum(r is not None for r in want_p) == 2000
    barrier = threading.Barrier(8)

    def work(k: int):  # type: ignore[no-untyped-def]
        barrier.wait()
        if k % 2:
            return p.match_many(lines), [m.match(line) for line in lines[:500]]
        return [p.match(line) for line in lines], m.match_many(lines)[:500]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(8)))
    for got_p, got_m in results:
        assert got_p == want_p
        assert got_m == want_m[:500]


def test_compile_from_many_threads_shares_one_object() -> None:
    grok.purge()
    barrier = threading.Barrier(8)

    def work(_: int) -> grok.Pattern:
        barrier.wait()
        return grok.compile("%{IPORHOST:h} %{INT:n}", definitions={"X": "x"})

    with ThreadPoolExecutor(8) as pool:
        patterns = list(pool.map(work, range(8)))
    assert all(q == patterns[0] for q in patterns)
    assert grok.compile("%{IPORHOST:h} %{INT:n}", definitions={"X": "x"}) in patterns
