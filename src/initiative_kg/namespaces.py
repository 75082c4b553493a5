"""The project's namespaces and the prefixes used when printing terms."""

from __future__ import annotations

from functools import lru_cache

from rdflib import Namespace
from rdflib.namespace import (
    DCTERMS,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    TIME,
    XSD,
    NamespaceManager,
)

BASE = "https://w3id.org/initiative-kg/"
IKG = Namespace(BASE + "ontology#")
IKGSH = Namespace(BASE + "shapes#")
ID = Namespace(BASE + "id/")
VOCAB = Namespace(BASE + "vocab/")
SCHEMA = Namespace("https://schema.org/")

ONTOLOGY_IRI = BASE + "ontology"

# Prefixes for display. The data files declare their own; these make reports readable.
PREFIXES: dict[str, str] = {
    "agreement": f"{ID}funding-agreement/",
    "claim": f"{ID}claim/",
    "coding": f"{ID}coding/",
    "dcterms": str(DCTERMS),
    "element": f"{VOCAB}intervention-element/",
    "event": f"{ID}event/",
    "grant": f"{ID}grant/",
    "graph": f"{ID}graph/",
    "ikd": str(ID),
    "ikg": str(IKG),
    "ikgsh": str(IKGSH),
    "initiative": f"{ID}initiative/",
    "intervention": f"{ID}intervention/",
    "law": f"{ID}legislation/",
    "municipality": f"{ID}municipality/",
    "org": str(ORG),
    "organisation": f"{ID}organisation/",
    "orgtype": f"{VOCAB}organisation-type/",
    "owl": str(OWL),
    "participation": f"{ID}participation/",
    "person": f"{ID}person/",
    "prov": str(PROV),
    "publication": f"{ID}publication/",
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "region": f"{ID}region/",
    "role": f"{VOCAB}role/",
    "schema": str(SCHEMA),
    "sh": str(SH),
    "skos": str(SKOS),
    "source": f"{ID}source/",
    "tg": f"{VOCAB}target-group/",
    "time": str(TIME),
    "xsd": str(XSD),
}


def bind_prefixes(manager: NamespaceManager) -> None:
    """Bind the display prefixes, replacing rdflib's defaults where they clash."""
    for prefix, namespace in PREFIXES.items():
        manager.bind(prefix, namespace, override=True, replace=True)


# Longest namespace first, so that the first match is the most specific.
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


@lru_cache(maxsize=1 << 16)
def shorten(iri: str) -> str:
    """The prefixed name of an IRI, using the longest matching display namespace. Cached: the
    network projections and reports shorten the same IRIs over and over."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"
