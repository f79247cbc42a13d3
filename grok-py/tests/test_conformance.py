"""All cases of testdata/conformance.jsonl (the upstream Logstash pattern
spec suite) through Python, with the semantics of
grok-core/tests/conformance.rs: exact fields unless ``partial``, ``absent``
names missing, every captured field under an ``exact`` prefix listed, floats
with a tolerance. Results are nested dicts, flattened back to bracket names
to compare."""

from __future__ import annotations

import math
from typing import Any

import pytest

import grok
from conftest import flatten, load_jsonl

CASES = load_jsonl("conformance.jsonl")


def same(want: Any, got: Any) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return want == got and type(want) is type(got)
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(want, got, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(want, list) and isinstance(got, list):
        return len(want) == len(got) and all(same(a, b) for a, b in zip(want, got))
    return bool(want == got)


def problems(case: dict[str, Any]) -> list[str]:
    pattern = grok.compile(case["pattern"], ecs=case["mode"] == "ecs-v1")
    result = pattern.match(case["input"])
    if case["expect"] != "match":
        return [] if result is None else [f"expected no match, got {result}"]
    if result is None:
        return ["expected a match, got none"]
    got = flatten(result)
    want = case["fields"]
    out = []
    for name, value in want.items():
        if name not in got:
            out.append(f"missing {name} (want {value!r})")
        elif not same(value, got[name]):
            out.append(f"{name}: want {value!r}, got {got[name]!r}")
    if case.get("partial") is False:
        out += [f"unexpected field {n} = {v!r}" for n, v in got.items() if n not in want]
    for name in case.get("absent") or []:
        if name in got:
            out.append(f"field {name} should be absent, got {got[name]!r}")
    for prefix in case.get("exact") or []:
        out += [
            f"unexpected field {n} under {prefix}"
            for n in got
            if n.startswith(prefix) and n not in want
        ]
    return out


def test_the_corpus_has_455_cases() -> None:
    assert len(CASES) == 455


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c['id']}[{c['mode']}]" for c in CASES]
)
def test_conformance(case: dict[str, Any]) -> None:
    found = problems(case)
    assert not found, f"{case['pattern']} on {case['input']!r}: " + "; ".join(found)


def test_batch_agrees_with_single_matches() -> None:
    by_pattern: dict[tuple[str, str], list[str]] = {}
    for case in CASES:
        by_pattern.setdefault((case["pattern"], case["mode"]), []).append(case["input"])
    for (expr, mode), inputs in by_pattern.items():
        p = grok.compile(expr, ecs=mode == "ecs-v1")
        assert p.match_many(inputs) == [p.match(t) for t in inputs]
