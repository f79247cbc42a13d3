"""``Pattern.match_arrow``: columns to a ``pyarrow.RecordBatch``.

pyarrow is imported only when this is used; ``import grok`` never needs it.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_TYPES = {
    "string": "string",
    "int": "int64",
    "long": "int64",
    "float": "float64",
    "double": "float64",
    "boolean": "bool_",
}


def require_pyarrow() -> Any:
    try:
        import pyarrow  # type: ignore[import-untyped,unused-ignore]
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "Pattern.match_arrow needs pyarrow, which is not installed: "
            "pip install pyarrow (or grok-parse[arrow]); "
            "Pattern.match_columns gives the same columns as Python lists"
        ) from e
    return pyarrow


def _typed(values: list[Any], kind: str) -> list[Any]:
    # keep_empty=True keeps empty captures as "" even in typed fields: null.
    if kind == "string":
        return values
    return [None if isinstance(v, str) else v for v in values]


def record_batch(columns: dict[str, list[Any]], schema: list[tuple[str, str, bool]]) -> Any:
    """Builds the batch. ``schema`` is ``[(field, type name, captured in
    several places)]``; a field captured in several places becomes a list
    column (its value is a list whenever it was captured more than once)."""
    pa = require_pyarrow()
    arrays = []
    names = []
    for name, kind, multi in schema:
        values = columns[name]
        item_type = getattr(pa, _TYPES[kind])()
        if multi:
            lists = [v if v is None or isinstance(v, list) else [v] for v in values]
            kinds = {type(x) for v in lists if v for x in v}
            if len(kinds) > 1 or (kind != "string" and str in kinds):
                # Captures of different types (%{INT:a:int} %{WORD:a}): text.
                item_type = pa.string()
                lists = [None if v is None else [str(x) for x in v] for v in lists]
            arrays.append(pa.array(lists, type=pa.list_(item_type)))
        else:
            arrays.append(pa.array(_typed(values, kind), type=item_type))
        names.append(name)
    return pa.RecordBatch.from_arrays(arrays, names=names)
