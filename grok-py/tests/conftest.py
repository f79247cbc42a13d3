"""Shared fixtures of the grok Python suite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

TESTDATA = Path(__file__).resolve().parent.parent.parent / "testdata"


def load_jsonl(name: str) -> list[dict[str, Any]]:
    with open(TESTDATA / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def flatten(fields: dict[str, Any]) -> dict[str, Any]:
    """Nested result dicts back to Logstash field names: ``{"source":
    {"address": x}}`` -> ``{"[source][address]": x}``; top-level plain keys
    stay as they are."""
    flat: dict[str, Any] = {}

    def walk(prefix: list[str], value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(prefix + [key], inner)
        elif len(prefix) == 1:
            flat[prefix[0]] = value
        else:
            flat["".join(f"[{p}]" for p in prefix)] = value

    for key, value in fields.items():
        walk([key], value)
    return flat


@pytest.fixture(scope="session")
def apache_lines() -> list[str]:
    return [
        '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 '
        '"http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"',
        '10.0.0.7 - - [11/Oct/2000:13:55:36 +0000] "POST /api/v1/users?id=3 HTTP/1.1" 404 - "-" "curl/8.0"',
        "not an access log line",
    ]
