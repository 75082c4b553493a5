"""initiative-kg: a knowledge graph of Danish social-policy initiatives.

The package finds its ontology, shapes, vocabularies and data on disk (in a checkout) or inside
the installed wheel, loads them into an embedded RDF store and validates them with SHACL.

    >>> from initiative_kg import KnowledgeGraph
    >>> kg = KnowledgeGraph.load()
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from initiative_kg.store import KnowledgeGraph

    __version__: str

__all__ = ["KnowledgeGraph", "__version__"]


@cache
def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("initiative-kg")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    # rdflib and importlib.metadata are slow to import; keep `import initiative_kg` (and
    # `ikg --help`) fast: each is imported when first asked for.
    if name == "KnowledgeGraph":
        from initiative_kg.store import KnowledgeGraph

        return KnowledgeGraph
    if name == "__version__":
        return _version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
