"""Grok for Python: named, reusable regular expressions that turn log lines
into typed fields, with the Logstash pattern library built in.

>>> import grok
>>> p = grok.compile("%{IP:client} %{WORD:method} %{URIPATHPARAM:path} %{NUMBER:bytes:int}")
>>> p.match("55.3.244.1 GET /index.html 15824")
{'client': '55.3.244.1', 'method': 'GET', 'path': '/index.html', 'bytes': 15824}
>>> p.match("no match here") is None
True

Matching follows Logstash: the first match anywhere in the text; only named
captures become fields; ``:int``/``:float``/``:boolean`` convert; a field
captured twice becomes a list; ECS names such as ``[source][address]``
become nested dicts. ``Pattern.match_many`` matches a batch with the
interpreter released; ``match_columns`` / ``match_arrow`` give columns for
DataFrames; ``grok.Matcher`` tries several expressions in order;
``grok.parse_file`` streams a file. Compiled objects are immutable,
thread-safe and picklable.
"""

from ._errors import (
    ConversionError,
    CycleError,
    GrokError,
    MatchLimitError,
    PatternFileError,
    PatternSyntaxError,
    SizeLimitError,
    UnknownPatternError,
    UnknownTypeError,
)
from ._grok import (
    FileParser,
    Matcher,
    Pattern,
    __version__,
    compile,
    parse_file,
    patterns,
    purge,
)

__all__ = [
    "compile",
    "Pattern",
    "Matcher",
    "parse_file",
    "FileParser",
    "patterns",
    "purge",
    "GrokError",
    "UnknownPatternError",
    "CycleError",
    "PatternSyntaxError",
    "UnknownTypeError",
    "ConversionError",
    "MatchLimitError",
    "PatternFileError",
    "SizeLimitError",
    "__version__",
]
