"""JSON out with orjson: the same text as Flask's provider (sorted keys, compact, Chinese and
Russian as they are), several times faster on the catalog's large pages.

Decimal, dates, UUIDs, dataclasses and ``__html__`` go through Flask's own ``default``, as
before; anything orjson refuses (an integer past 64 bits, a non-string key it cannot sort, an
indented dump in debug) falls back to Flask's provider.
"""

import orjson
from flask.json.provider import DefaultJSONProvider

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class FastJSONProvider(DefaultJSONProvider):
    ensure_ascii = False

    def dumps(self, obj, **kwargs) -> str:
        # The response path asks only for compact separators; anything else is a special dump.
        if set(kwargs) - {"separators"} or kwargs.get("separators", (",", ":")) != (",", ":"):
            return super().dumps(obj, **kwargs)
        try:
            return orjson.dumps(obj, default=self.default, option=_OPTIONS).decode()
        except TypeError:
            return super().dumps(obj, **kwargs)
