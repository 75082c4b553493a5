"""The floor under goal 1's cold `ikg query initiatives`: the same work with pyoxigraph alone.

Each run is its own process that imports pyoxigraph (no rdflib, typer or PyYAML), loads the
ontology, vocabularies and shipped data into one named graph per file, answers the catalogue's
`initiatives` query over their union and prints the rows. The whole process's median wall time,
against the command's, shows how much of the command is Python around the engine.

    python bench/cold_floor.py --runs 10
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def answer_once() -> int:
    """Load and answer; the number of rows (printed, as the command prints them)."""
    import pyoxigraph

    sys.path.insert(0, str(REPO / "src"))
    from initiative_kg.assets import layout  # the file list only: it imports no RDF library

    assets = layout()
    store = pyoxigraph.Store()
    for number, path in enumerate(assets.ontology_files() + assets.data_files()):
        store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE,
                   to_graph=pyoxigraph.NamedNode(f"urn:floor:{number}"))  # fmt: skip
    text = (assets.queries_dir / "initiatives" / "initiatives.rq").read_text(encoding="utf-8")
    rows = 0
    for solution in store.query(text, use_default_graph_as_union=True):
        print(",".join("" if term is None else term.value for term in solution))
        rows += 1
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10, help="processes to time (default 10)")
    parser.add_argument("--once", action="store_true", help="do the work once, untimed")
    arguments = parser.parse_args(argv)
    if arguments.once:
        return 0 if answer_once() > 0 else 1
    seconds = []
    for _ in range(arguments.runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--once"], check=True, capture_output=True)
        seconds.append(time.perf_counter() - started)
    print(f"median of {arguments.runs}: {statistics.median(seconds):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
