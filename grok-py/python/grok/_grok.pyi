"""Type stubs of the compiled module ``grok._grok`` (re-exported by ``grok``)."""

import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal, Optional, Union

from typing_extensions import Self, TypeAlias, final

__all__ = [
    "__version__",
    "Pattern",
    "Matcher",
    "FileParser",
    "compile",
    "parse_file",
    "patterns",
    "purge",
    "_test_panic",
]

__version__: str

#: A field value: ``str`` unless typed (``:int``/``:long`` -> int,
#: ``:float``/``:double`` -> float, ``:boolean`` -> bool); a list when the
#: field was captured more than once; a nested dict for ECS bracket names.
_Value: TypeAlias = Union[str, int, float, bool, list[Any], dict[str, Any]]
_Fields: TypeAlias = dict[str, Any]
_Hit: TypeAlias = tuple[int, _Fields]
_ErrorPolicy: TypeAlias = Literal["raise", "none"]
_PathArg: TypeAlias = Union[str, os.PathLike[str]]

def compile(
    pattern: str,
    *,
    ecs: bool = False,
    definitions: Optional[dict[str, str]] = None,
    patterns_dir: Optional[_PathArg] = None,
    named_only: bool = True,
    keep_empty: bool = False,
    strict: bool = False,
    match_limit: int = 1000000,
    size_limit: int = 4194304,
) -> Pattern:
    """Compiles a grok expression; cached like ``re.compile``.

    ``ecs`` selects the ECS v1 pattern library (field names such as
    ``[source][address]``) instead of the legacy one. ``definitions`` adds or
    replaces ``{NAME: regex}`` definitions; ``patterns_dir`` loads a pattern
    file or every file of a directory (``NAME regex`` lines) first, as
    Logstash's ``patterns_dir`` and ``pattern_definitions`` do.
    ``named_only=False`` also captures ``%{NAME}`` under the field ``NAME``;
    ``keep_empty`` keeps empty captures as ``""``; ``strict`` raises
    :class:`ConversionError` instead of Logstash's lenient conversion
    (``"abc"`` -> 0). ``match_limit`` bounds the backtracking engine's steps
    per line (:class:`MatchLimitError`), ``size_limit`` the expanded regex in
    bytes (:class:`SizeLimitError`).

    >>> import grok
    >>> grok.compile("%{INT:n:int}").match("n = 42")
    {'n': 42}
    """

def patterns(ecs: bool = False) -> dict[str, str]:
    """The built-in definitions ``{name: regex}``, sorted by name."""

def purge() -> None:
    """Clears the caches of :func:`compile` and of custom libraries."""

def parse_file(
    path: _PathArg,
    pattern: Union[str, Pattern, Matcher],
    *,
    ecs: bool = False,
    definitions: Optional[dict[str, str]] = None,
    patterns_dir: Optional[_PathArg] = None,
    named_only: bool = True,
    keep_empty: bool = False,
    strict: bool = False,
    match_limit: int = 1000000,
    size_limit: int = 4194304,
    encoding_errors: Literal["replace", "skip", "strict"] = "replace",
    errors: _ErrorPolicy = "raise",
) -> FileParser:
    """Streams a file: yields one result per line (what ``pattern.match``
    returns: a dict or None; for a Matcher, its results), reading and
    matching chunk by chunk with bounded memory and the interpreter released.

    Lines end at ``\\n``; a trailing ``\\r`` is removed. Invalid UTF-8:
    ``encoding_errors="replace"`` (default) matches the line with U+FFFD in
    place of each bad sequence; ``"skip"`` yields None for that line;
    ``"strict"`` raises ``UnicodeDecodeError``. Compile options apply only
    when ``pattern`` is a str.
    """

def _test_panic() -> None: ...

@final
class Pattern:
    """A compiled grok expression. Immutable, thread-safe, picklable."""

    def __new__(
        cls,
        pattern: str,
        *,
        ecs: bool = False,
        definitions: Optional[dict[str, str]] = None,
        patterns_dir: Optional[_PathArg] = None,
        named_only: bool = True,
        keep_empty: bool = False,
        strict: bool = False,
        match_limit: int = 1000000,
        size_limit: int = 4194304,
    ) -> Self: ...
    @property
    def pattern(self) -> str:
        """The expression as given."""
    @property
    def regex(self) -> str:
        """The fully expanded regular expression (Oniguruma syntax)."""
    @property
    def fields(self) -> dict[str, str]:
        """``{field name: type name}``, in order of first appearance."""
    @property
    def is_linear(self) -> bool:
        """Whether every match is decided by the linear-time engine."""
    @property
    def ecs(self) -> bool: ...
    @property
    def named_only(self) -> bool: ...
    @property
    def keep_empty(self) -> bool: ...
    @property
    def strict(self) -> bool: ...
    def match(self, text: str) -> Optional[_Fields]:
        """The fields of the first match anywhere in ``text``, or None."""
    def is_match(self, text: str) -> bool:
        """Whether ``text`` matches anywhere."""
    def match_many(
        self, lines: Iterable[str], *, errors: _ErrorPolicy = "raise"
    ) -> list[Optional[_Fields]]:
        """``[self.match(line) for line in lines]``, with the interpreter
        released while matching: in chunks of 8192 lines, the next chunk
        matched on a worker thread while this one's dicts are built.
        ``errors="none"`` gives None for a line whose match raises (strict
        conversion, match limit)."""
    def match_columns(
        self, lines: Iterable[str], *, errors: _ErrorPolicy = "raise"
    ) -> dict[str, list[Any]]:
        """One list per field (names as written, e.g. ``[source][address]``),
        each as long as ``lines``, None where the field is missing."""
    def match_arrow(self, lines: Iterable[str], *, errors: _ErrorPolicy = "raise") -> Any:
        """The columns as a ``pyarrow.RecordBatch`` (string, int64, float64,
        bool; a list column for a field captured in several places). Needs
        pyarrow."""
    @classmethod
    def _rebuild(
        cls,
        pattern: str,
        ecs: bool,
        definitions: dict[str, str],
        named_only: bool,
        keep_empty: bool,
        strict: bool,
        match_limit: int,
        size_limit: int,
    ) -> Pattern: ...
    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any, /) -> Self: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Matcher:
    """An ordered list of expressions. With ``break_on_match=True`` (the
    default, as Logstash), ``match`` returns ``(index, fields)`` of the first
    expression in list order that matches, or None; with
    ``break_on_match=False`` it returns the list of ``(index, fields)`` of
    every expression that matches (empty when none does)."""

    def __new__(
        cls,
        patterns: Sequence[str],
        *,
        break_on_match: bool = True,
        ecs: bool = False,
        definitions: Optional[dict[str, str]] = None,
        patterns_dir: Optional[_PathArg] = None,
        named_only: bool = True,
        keep_empty: bool = False,
        strict: bool = False,
        match_limit: int = 1000000,
        size_limit: int = 4194304,
    ) -> Self: ...
    @property
    def patterns(self) -> list[Pattern]:
        """The compiled patterns, in order."""
    @property
    def break_on_match(self) -> bool: ...
    def match(self, text: str) -> Union[Optional[_Hit], list[_Hit]]:
        """``(index, fields)`` or None; with ``break_on_match=False``, a list
        of every ``(index, fields)``."""
    def match_all(self, text: str) -> list[_Hit]:
        """``(index, fields)`` of every expression that matches."""
    def is_match(self, text: str) -> bool: ...
    def match_many(
        self, lines: Iterable[str], *, errors: _ErrorPolicy = "raise"
    ) -> list[Any]:
        """``[self.match(line) for line in lines]``, with the interpreter
        released while matching (chunked and pipelined as
        :meth:`Pattern.match_many`)."""
    @classmethod
    def _rebuild(
        cls,
        patterns: Sequence[str],
        break_on_match: bool,
        ecs: bool,
        definitions: dict[str, str],
        named_only: bool,
        keep_empty: bool,
        strict: bool,
        match_limit: int,
        size_limit: int,
    ) -> Matcher: ...
    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any, /) -> Self: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __len__(self) -> int: ...

@final
class FileParser(Iterator[Any]):
    """The iterator returned by :func:`parse_file`; also a context manager
    that closes the file."""

    @property
    def lines_read(self) -> int:
        """Lines read from the file so far."""
    def close(self) -> None: ...
    def __iter__(self) -> Self: ...
    def __next__(self) -> Any: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, exc_type: Any, exc: Any, tb: Any, /) -> bool: ...
