"""Where the ontology, shapes, vocabularies, data and queries live.

In a checkout they are the top-level folders of the repository; in an installed wheel they are
copied into ``initiative_kg/_assets``. Python finds them here and never restates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

RDF_SUFFIXES: dict[str, str] = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
}


@dataclass(frozen=True)
class AssetLayout:
    """The folders that hold the project's RDF and SPARQL files."""

    root: Path

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def vocabulary_dir(self) -> Path:
        return self.root / "ontology" / "vocabularies"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "ontology" / "shapes"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    def ontology_files(self) -> list[Path]:
        """The OWL ontology and the SKOS vocabularies (the terms every data file uses)."""
        return sorted(self.ontology_dir.glob("*.ttl")) + sorted(self.vocabulary_dir.glob("*.ttl"))

    def shape_files(self) -> list[Path]:
        return sorted(self.shapes_dir.glob("*.ttl"))

    def data_files(self) -> list[Path]:
        return rdf_files_under(self.data_dir)

    def reference_files(self) -> list[Path]:
        return rdf_files_under(self.data_dir / "reference")


@cache
def layout() -> AssetLayout:
    """The installed assets if present, else the checkout this module sits in."""
    packaged = Path(str(files("initiative_kg"))) / "_assets"
    if (packaged / "ontology").is_dir():
        return AssetLayout(packaged)
    checkout = Path(__file__).resolve().parents[2]
    return AssetLayout(checkout)


def rdf_format(path: Path) -> str | None:
    """rdflib's parser name for a file, from its suffix; None if it is not an RDF file."""
    return RDF_SUFFIXES.get(path.suffix.lower())


def rdf_files_under(folder: Path) -> list[Path]:
    """Every RDF file below a folder, in a stable order."""
    return sorted(
        path for path in folder.rglob("*") if path.is_file() and rdf_format(path) is not None
    )
