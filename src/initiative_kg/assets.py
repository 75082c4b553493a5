"""Where the ontology, shapes, vocabularies, data and queries live.

In a checkout they are the top-level folders of the repository; in an installed wheel they are
copied into ``initiative_kg/_assets``. Python finds them here and never restates them.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

from initiative_kg.errors import LoadError

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
    """Every RDF file below a folder (links followed), in a stable order.

    Nothing found is skipped without a word: a folder that cannot be listed, and an entry with
    an RDF suffix that cannot be read as a file (a broken link, a link loop, a named pipe), are
    errors that name it. The files' contents are read later, which reports unreadable files.
    """
    found: list[Path] = []
    visited: set[tuple[int, int]] = set()
    pending = [Path(folder)]
    while pending:
        current = pending.pop()
        try:
            status = current.stat()
            if (status.st_dev, status.st_ino) in visited:
                continue  # a link back to a folder already listed
            visited.add((status.st_dev, status.st_ino))
            entries = sorted(os.scandir(current), key=lambda entry: entry.name)
        except OSError as error:
            raise LoadError(f"cannot read the folder: {error.strerror}", path=current) from error
        for entry in entries:
            path = Path(entry.path)
            try:
                status = path.stat()
            except OSError as error:
                if rdf_format(path) is None and not entry.is_dir(follow_symlinks=False):
                    continue  # not an RDF file: none of ours, whatever state it is in
                raise LoadError(f"cannot read: {error.strerror}", path=path) from error
            if stat.S_ISDIR(status.st_mode):
                pending.append(path)
            elif rdf_format(path) is not None:
                if not stat.S_ISREG(status.st_mode):
                    raise LoadError("is not a regular file, so it cannot be read as RDF", path=path)
                found.append(path)
    return sorted(found)
