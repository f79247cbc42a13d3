"""Scale-out: the README's Dask example on a 2-process LocalCluster gives the
same results as a single-process run."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

import grok

README = Path(__file__).resolve().parent.parent / "README-examples.md"


def readme_dask_example() -> str:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    dask_blocks = [b for b in blocks if "LocalCluster" in b]
    assert len(dask_blocks) == 1
    return str(dask_blocks[0])


def generate_access_log(path: Path, n: int) -> list[str]:
    rng = random.Random(7)
    lines = []
    for i in range(n):
        if i % 50 == 0:
            lines.append(f"not an access log line {i}")
            continue
        ip = ".".join(str(rng.randrange(1, 255)) for _ in range(4))
        verb = rng.choice(["GET", "POST", "HEAD"])
        status = rng.choice([200, 200, 304, 404, 500])
        size = rng.choice(["-", str(rng.randrange(100000))])
        lines.append(
            f'{ip} - user{i % 9} [15/Nov/2023:03:{i % 60:02d}:{i % 60:02d} +0000] '
            f'"{verb} /p/{i}?q={rng.randrange(99)} HTTP/1.1" {status} {size} '
            f'"http://example.com/r{i % 13}" "Mozilla/5.0 (X11; Linux x86_64) agent/{i % 17}"'
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


@pytest.mark.timeout(300)
def test_dask_bag_on_a_local_cluster_matches_a_single_process_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("dask.bag")
    pytest.importorskip("distributed")
    monkeypatch.chdir(tmp_path)
    lines = generate_access_log(tmp_path / "access.log", 4000)
    # Small blocks, so that both workers get partitions.
    code = readme_dask_example().replace('blocksize="64MiB"', 'blocksize="64KiB"')
    namespace: dict[str, object] = {"__name__": "__main__"}
    exec(compile(code, str(README), "exec"), namespace)
    parsed = namespace["parsed"]
    expected = grok.compile("%{COMBINEDAPACHELOG}").match_many(lines)
    assert parsed == expected
    assert sum(r is None for r in expected) == 80
