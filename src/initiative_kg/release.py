"""Release dumps: the whole graph in Turtle, N-Quads and JSON-LD, a VoID/DCAT description and
checksums, written into a folder that appears whole or not at all."""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD

from initiative_kg import __version__
from initiative_kg.fileio import folder_written_atomically
from initiative_kg.namespaces import BASE, IKG, bind_prefixes
from initiative_kg.serialise import json_ld, turtle
from initiative_kg.store import KnowledgeGraph

logger = logging.getLogger(__name__)

DATASET = URIRef(f"{BASE}id/dataset/initiative-kg")
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
SPDX = "http://spdx.org/rdf/terms#"
DUMPS = {
    "initiative-kg.ttl": ("turtle", "text/turtle"),
    "initiative-kg.nq": ("nquads", "application/n-quads"),
    "initiative-kg.jsonld": ("json-ld", "application/ld+json"),
}


@dataclass(frozen=True)
class BuildReport:
    folder: Path
    files: tuple[str, ...]
    triples: int


def build(
    kg: KnowledgeGraph, folder: Path, *, sparql_endpoint: str | None = None, overwrite: bool = False
) -> BuildReport:
    """Write the dumps into ``folder``: built in a temporary folder beside it, then renamed, so
    that a failure leaves no half-written folder (and an existing one untouched)."""
    with folder_written_atomically(Path(folder), overwrite=overwrite) as staging:
        files = _write_dumps(kg, staging)
        description = describe(kg, staging, files, sparql_endpoint=sparql_endpoint)
        (staging / "void.ttl").write_text(turtle(description), encoding="utf-8")
        files.append("void.ttl")
        checksums = "".join(f"{_sha256(staging / name)}  {name}\n" for name in sorted(files))
        (staging / "SHA256SUMS").write_text(checksums, encoding="utf-8")
    return BuildReport(Path(folder), (*sorted(files), "SHA256SUMS"), len(kg.union()))


def _write_dumps(kg: KnowledgeGraph, folder: Path) -> list[str]:
    written = []
    for name, (rdf_format, _) in DUMPS.items():
        path = folder / name
        # Every literal as the files wrote it (rdflib's own Turtle and JSON-LD writers rewrite
        # typed literals; see initiative_kg.serialise).
        if rdf_format == "turtle":
            try:
                text = turtle(kg.union())
            except RecursionError:  # rdflib's Turtle writer nests blank nodes by recursion
                text = _flat_turtle(kg)
        elif rdf_format == "json-ld":
            text = json_ld(kg.quads())
        else:
            text = kg.dataset.serialize(format=rdf_format)
        path.write_text(text, encoding="utf-8")
        written.append(name)
        logger.info("wrote %s", path.name)
    return written


def _flat_turtle(kg: KnowledgeGraph) -> str:
    """The union as Turtle by Oxigraph's writer, which never nests (rdflib's fails on blank
    nodes thousands deep), every literal as written."""
    import pyoxigraph

    from initiative_kg.namespaces import PREFIXES
    from initiative_kg.terms import to_oxigraph

    triples = dict.fromkeys(
        pyoxigraph.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
        for s, p, o, _ in kg.quads()
    )
    written = pyoxigraph.serialize(
        triples, format=pyoxigraph.RdfFormat.TURTLE, prefixes=dict(PREFIXES)
    )
    return (written or b"").decode("utf-8")


def describe(
    kg: KnowledgeGraph, folder: Path, files: list[str], *, sparql_endpoint: str | None = None
) -> Graph:
    """A VoID and DCAT description of the release."""
    union = kg.union()
    graph = Graph()
    bind_prefixes(graph.namespace_manager)
    graph.bind("void", VOID)
    graph.bind("dcat", DCAT)
    graph.bind("spdx", SPDX)
    graph.add((DATASET, RDF.type, VOID.Dataset))
    graph.add((DATASET, RDF.type, DCAT.Dataset))
    graph.add((DATASET, DCTERMS.title, Literal("initiative-kg", lang="en")))
    graph.add(
        (
            DATASET,
            DCTERMS.description,
            Literal(
                "A knowledge graph of Danish social-policy initiatives, their actors, funding and "
                "intervention elements, from the national social agency's initiative pages.",
                lang="en",
            ),
        )
    )
    graph.add((DATASET, DCTERMS.license, LICENCE))
    graph.add((DATASET, DCTERMS.issued, Literal(date.today().isoformat(), datatype=XSD.date)))
    graph.add((DATASET, URIRef("http://www.w3.org/2002/07/owl#versionInfo"), Literal(__version__)))
    graph.add((DATASET, VOID.triples, Literal(len(union))))
    graph.add((DATASET, VOID.vocabulary, URIRef(str(IKG))))
    subjects = {s for s in union.subjects() if not isinstance(s, BNode)}
    graph.add((DATASET, VOID.distinctSubjects, Literal(len(subjects))))
    for source in sorted(set(union.subjects(RDF.type, IKG.SourcePage)), key=str):
        graph.add((DATASET, DCTERMS.source, source))
    if sparql_endpoint:
        graph.add((DATASET, VOID.sparqlEndpoint, URIRef(sparql_endpoint)))
    classes = Counter(o for o in union.objects(None, RDF.type) if isinstance(o, URIRef))
    for index, (class_iri, count) in enumerate(sorted(classes.items(), key=lambda i: str(i[0]))):
        partition = URIRef(f"{DATASET}/class/{index}")
        graph.add((DATASET, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], class_iri))
        graph.add((partition, VOID.entities, Literal(count)))
    for name in files:
        distribution = URIRef(f"{DATASET}/distribution/{name}")
        graph.add((DATASET, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCAT.downloadURL, URIRef(name, base=f"{DATASET}/")))
        graph.add((distribution, DCAT.mediaType, Literal(DUMPS[name][1])))
        graph.add((distribution, DCAT.byteSize, Literal((folder / name).stat().st_size)))
        checksum = BNode()
        graph.add((distribution, URIRef(f"{SPDX}checksum"), checksum))
        graph.add((checksum, URIRef(f"{SPDX}algorithm"), URIRef(f"{SPDX}checksumAlgorithm_sha256")))
        graph.add((checksum, URIRef(f"{SPDX}checksumValue"), Literal(_sha256(folder / name))))
    return graph


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checksums_match(folder: Path) -> bool:
    """Whether every file listed in SHA256SUMS has the listed checksum (an empty list proves
    nothing, so it does not match)."""
    lines = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    return bool(lines) and all(
        _sha256(folder / name) == digest for digest, name in (line.split("  ", 1) for line in lines)
    )


__all__ = ["BuildReport", "build", "checksums_match", "describe"]
