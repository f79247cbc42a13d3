"""The exceptions of ``grok``.

Every error is a :class:`GrokError` (a :class:`ValueError`). ``str(error)``
is grok-core's message: what went wrong, the pattern, and a caret under the
position when it is known. The parts are also attributes:

* ``pattern``: the expression (or definition) the error points into, or None
* ``position``: the character offset in ``pattern``, or None
* ``detail``: the message alone, without the pattern and caret
* ``index``: for batch calls, the index of the line that failed (for
  ``parse_file``, the 0-based line number), else None

All of them pickle with their attributes (so they travel back from worker
processes intact).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # `typing` is not imported at run time: it would double `import grok`'s time
    from typing import Any, Optional

__all__ = [
    "GrokError",
    "UnknownPatternError",
    "CycleError",
    "PatternSyntaxError",
    "UnknownTypeError",
    "ConversionError",
    "MatchLimitError",
    "PatternFileError",
    "SizeLimitError",
]


class GrokError(ValueError):
    """Base class of every grok error.

    >>> import grok
    >>> try:
    ...     grok.compile("%{SYSLOGBAS}")
    ... except grok.GrokError as e:
    ...     print(type(e).__name__, e.name, e.suggestion, e.position)
    UnknownPatternError SYSLOGBAS SYSLOGBASE 0
    """

    pattern: Optional[str]
    position: Optional[int]
    detail: Optional[str]
    index: Optional[int]

    def __init__(
        self,
        message: str,
        *,
        pattern: Optional[str] = None,
        position: Optional[int] = None,
        detail: Optional[str] = None,
        index: Optional[int] = None,
        **attributes: Any,
    ) -> None:
        super().__init__(message)
        self.pattern = pattern
        self.position = position
        self.detail = detail if detail is not None else message
        self.index = index
        for name, value in attributes.items():
            setattr(self, name, value)

    @property
    def message(self) -> str:
        """The full message (``str(self)``)."""
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> Any:
        return (self.__class__, (self.message,), dict(self.__dict__))


class UnknownPatternError(GrokError):
    """``%{NAME}`` names a definition the library does not have.

    Attributes: ``name`` (as written) and ``suggestion`` (the closest known
    name, or None).
    """

    name: str
    suggestion: Optional[str]

    def __init__(
        self, message: str, *, name: str = "", suggestion: Optional[str] = None, **kw: Any
    ) -> None:
        super().__init__(message, name=name, suggestion=suggestion, **kw)


class CycleError(GrokError):
    """Definitions refer to each other in a loop.

    Attribute ``path``: the chain of names, e.g. ``['A', 'B', 'A']``.
    """

    path: list[str]

    def __init__(self, message: str, *, path: Optional[list[str]] = None, **kw: Any) -> None:
        super().__init__(message, path=list(path or []), **kw)


class PatternSyntaxError(GrokError):
    """A malformed ``%{...}`` reference or an invalid regular expression.

    ``pattern`` and ``position`` locate it.
    """


class UnknownTypeError(PatternSyntaxError):
    """``%{NAME:field:type}`` names a type that does not exist
    (attribute ``type_name``). Types: int, long, float, double, boolean/bool,
    string."""

    type_name: str

    def __init__(self, message: str, *, type_name: str = "", **kw: Any) -> None:
        super().__init__(message, type_name=type_name, **kw)


class ConversionError(GrokError):
    """Strict mode: the captured text is not of the field's type.

    Attributes: ``field`` and ``value`` (the captured text).
    """

    field: str
    value: str

    def __init__(self, message: str, *, field: str = "", value: str = "", **kw: Any) -> None:
        super().__init__(message, field=field, value=value, **kw)


class MatchLimitError(GrokError):
    """The exact (backtracking) engine reached its step limit on this input
    (attribute ``limit``; raise it with ``compile(..., match_limit=...)``)."""

    limit: int

    def __init__(self, message: str, *, limit: int = 0, **kw: Any) -> None:
        super().__init__(message, limit=limit, **kw)


class PatternFileError(GrokError):
    """A pattern file or directory could not be read, or a line of it (or a
    name in ``definitions``) is not ``NAME regex``."""


class SizeLimitError(GrokError):
    """The expanded expression exceeds a size or depth limit (attribute
    ``limit``; raise it with ``compile(..., size_limit=...)``)."""

    limit: int

    def __init__(self, message: str, *, limit: int = 0, **kw: Any) -> None:
        super().__init__(message, limit=limit, **kw)
