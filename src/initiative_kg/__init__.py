"""initiative-kg: a knowledge graph of Danish social-policy initiatives.

The package finds its ontology, shapes, vocabularies and data on disk (in a checkout) or inside
the installed wheel, loads them into an embedded RDF store and validates them with SHACL.

    >>> from initiative_kg import KnowledgeGraph
    >>> kg = KnowledgeGraph.load()
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("initiative-kg")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"

if TYPE_CHECKING:
    from initiative_kg.store import KnowledgeGraph

__all__ = ["KnowledgeGraph", "__version__"]


def __getattr__(name: str) -> Any:
    # rdflib is slow to import; keep `import initiative_kg` (and `ikg --help`) fast.
    if name == "KnowledgeGraph":
        from initiative_kg.store import KnowledgeGraph

        return KnowledgeGraph
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
