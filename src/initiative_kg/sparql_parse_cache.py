"""rdflib's SPARQL processor with each query text parsed once per process.

pySHACL runs a SPARQL constraint or target once per focus node, passing the same text each time
with ``$this`` pre-bound, and rdflib parses the text again on every call. Parsing (pyparsing)
took about half of pySHACL's time on the shipped graph with every invalid test case beside it
(10.3 s against 5.7 s with the parse kept). The translated query does not depend on the
bindings, and rdflib's evaluation does not change it (rdflib's own ``prepareQuery`` reuses it
the same way), so the answers are the same.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from rdflib import plugin
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor
from rdflib.term import Identifier

# pyparsing's parser is not thread-safe
_PARSE_LOCK = threading.Lock()

Namespaces = tuple[tuple[str, Any], ...]


@lru_cache(maxsize=512)
def _translated(text: str, base: str | None, namespaces: Namespaces | None) -> Query:
    initial = dict(namespaces) if namespaces is not None else None
    return translateQuery(parseQuery(text), base, initial)


def translated_query(
    text: str, base: str | None = None, namespaces: Mapping[str, Any] | None = None
) -> Query:
    """rdflib's algebra of ``text``, parsed on its first use only."""
    key = tuple(sorted(namespaces.items())) if namespaces else None
    with _PARSE_LOCK:
        return _translated(text, base, key)


def parses_so_far() -> int:
    """How many distinct query texts were parsed since the last ``forget_parses`` (for tests)."""
    return _translated.cache_info().misses


def forget_parses() -> None:
    with _PARSE_LOCK:
        _translated.cache_clear()


class CachingSPARQLProcessor(SPARQLProcessor):
    """rdflib's SPARQL processor, parsing each (text, base, prefixes) once."""

    # rdflib's own parameter names and signature, as its processor has them
    def query(  # type: ignore[override]
        self,
        strOrQuery: str | Query,
        initBindings: Mapping[str, Identifier] | None = None,
        initNs: Mapping[str, Any] | None = None,
        base: str | None = None,
        DEBUG: bool = False,
    ) -> Mapping[str, Any]:
        query = (
            translated_query(strOrQuery, base, initNs)
            if isinstance(strOrQuery, str)
            else strOrQuery
        )
        answer: Mapping[str, Any] = evalQuery(self.graph, query, initBindings, base)
        return answer


_active_lock = threading.Lock()
_active_uses = 0
_replaced: tuple[str, str] | None = None


@contextmanager
def parsed_once() -> Iterator[None]:
    """Within the block, rdflib's "sparql" processor (the one pySHACL asks rdflib's graphs for)
    is the caching one; afterwards the processor registered before is back. Nested and
    concurrent blocks share one registration."""
    global _active_uses, _replaced
    with _active_lock:
        if _active_uses == 0:
            before = next(iter(plugin.plugins("sparql", Processor)))
            _replaced = (before.module_path, before.class_name)
            plugin.register("sparql", Processor, __name__, CachingSPARQLProcessor.__name__)
        _active_uses += 1
    try:
        yield
    finally:
        with _active_lock:
            _active_uses -= 1
            if _active_uses == 0 and _replaced is not None:
                plugin.register("sparql", Processor, *_replaced)
