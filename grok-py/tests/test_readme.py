"""The examples of README-examples.md and the docstrings' examples run and
print what they say."""

from __future__ import annotations

import doctest
import inspect
from pathlib import Path

import pytest

import grok

README = Path(__file__).resolve().parent.parent / "README-examples.md"
PROJECT_README = Path(__file__).resolve().parent.parent.parent / "README.md"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def test_readme_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = doctest.testfile(str(README), module_relative=False, optionflags=FLAGS, verbose=False)
    assert result.attempted > 20
    assert result.failed == 0


def test_project_readme_python_examples() -> None:
    result = doctest.testfile(str(PROJECT_README), module_relative=False, optionflags=FLAGS, verbose=False)
    assert result.attempted >= 5
    assert result.failed == 0


def docstrings() -> list[tuple[str, str]]:
    found = []
    for name in grok.__all__:
        obj = getattr(grok, name)
        found.append((name, getattr(obj, "__doc__", None) or ""))
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                doc = getattr(member, "__doc__", None)
                if doc and not attr.startswith("__"):
                    found.append((f"{name}.{attr}", doc))
    found.append(("grok", grok.__doc__ or ""))
    return found


def test_docstring_examples() -> None:
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    attempted = 0
    for name, doc in docstrings():
        test = parser.get_doctest(doc, {"grok": grok}, name, None, 0)
        runner.run(test)
        attempted += len(test.examples)
    result = runner.summarize(verbose=False)
    assert result.failed == 0
    assert attempted >= 10


def test_public_api_is_documented() -> None:
    for name, doc in docstrings():
        if name.endswith("Error") or "." in name or name == "__version__":
            continue
        assert doc.strip(), f"{name} has no docstring"
    for cls in (grok.Pattern, grok.Matcher):
        for attr in ("match", "match_many"):
            assert getattr(cls, attr).__doc__, f"{cls.__name__}.{attr}"
