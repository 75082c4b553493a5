"""Draw bench/scaling.svg from the benchmark's JSON results (bench/out/*.json): the median and
the slowest catalogue query at each size, through the ikg query path (Oxigraph plus turning the
rows into rdflib terms) and on the Oxigraph engine alone, on log-log axes, with the issue's
targets marked. Standard library only, so that the plot needs nothing beyond the benchmark.

    python bench/plot.py            # reads bench/out, writes bench/scaling.svg
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from pathlib import Path
from xml.sax.saxutils import escape

from tables import wrong_in_merged

HERE = Path(__file__).resolve().parent
WIDTH, HEIGHT = 720, 440
LEFT, RIGHT, TOP, BOTTOM = 80, 230, 40, 60
X_RANGE = (math.log10(50), math.log10(200_000))
Y_RANGE = (math.log10(0.0001), math.log10(100))
Series = dict[int, float]


def collect(folder: Path) -> dict[str, Series]:
    """Median and slowest query per size and mode, over the queries measured at every size (a
    query left out of a large run, such as the quadratic initiatives-sharing-actors, would
    otherwise make the slowest line jump)."""
    measured: list[tuple[int, str, dict[str, float]]] = []
    for path in sorted(folder.glob("*.json")):
        result = json.loads(path.read_text(encoding="utf-8"))
        if "initiatives" not in result:  # run.py --out's cold.json: the shipped graph, no size
            continue
        if result.get("mode") == "engine-only":
            times = {q: v["seconds"] for q, v in result["queries"].items()}
            kind = "engine alone"
        else:
            times = {
                query_id: engines["oxigraph"]
                for query_id, engines in result["queries_seconds"].items()
                if not query_id.startswith("_") and "oxigraph" in engines
            }
            kind = "ikg"
            # Jena over one merged graph (run.py --engines jena), on the catalogue queries
            # it answers right (not those reading the named graphs, which it has not)
            wrong = wrong_in_merged(result)
            jena = {
                query_id: engines["jena-merged"]
                for query_id, engines in result["queries_seconds"].items()
                if "/" not in query_id and query_id not in wrong and "jena-merged" in engines
            }
            if jena:
                measured.append((int(result["initiatives"]), "Jena merged", jena))
        measured.append((int(result["initiatives"]), kind, times))
    everywhere: dict[str, set[str]] = {}
    for _, kind, times in measured:
        everywhere[kind] = everywhere.get(kind, set(times)) & set(times)
    series: dict[str, Series] = {
        "median query, ikg": {},
        "slowest query, ikg": {},
        "median query, engine alone": {},
        "slowest query, engine alone": {},
        "median query, Jena merged": {},
        "slowest query, Jena merged": {},
    }
    for n, kind, times in measured:
        kept = [seconds for query_id, seconds in times.items() if query_id in everywhere[kind]]
        if kept:
            series[f"median query, {kind}"][n] = statistics.median(kept)
            series[f"slowest query, {kind}"][n] = max(kept)
    return series


def x(n: float) -> float:
    low, high = X_RANGE
    return LEFT + (math.log10(n) - low) / (high - low) * (WIDTH - LEFT - RIGHT)


def y(seconds: float) -> float:
    low, high = Y_RANGE
    value = min(max(math.log10(seconds), low), high)
    return HEIGHT - BOTTOM - (value - low) / (high - low) * (HEIGHT - TOP - BOTTOM)


def draw(series: dict[str, Series]) -> str:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="22" font-size="14">Catalogue query time against catalogue size '
        "(Oxigraph, log-log)</text>",
    ]
    for n, label in ((100, "100"), (1000, "1k"), (10_000, "10k"), (100_000, "100k")):
        parts.append(f'<line x1="{x(n):.1f}" y1="{TOP}" x2="{x(n):.1f}" '
                     f'y2="{HEIGHT - BOTTOM}" stroke="#ddd"/>')  # fmt: skip
        parts.append(f'<text x="{x(n):.1f}" y="{HEIGHT - BOTTOM + 18}" '
                     f'text-anchor="middle">{label}</text>')  # fmt: skip
    for seconds, label in ((0.001, "1 ms"), (0.01, "10 ms"), (0.1, "100 ms"), (1, "1 s"),
                           (10, "10 s")):  # fmt: skip
        parts.append(f'<line x1="{LEFT}" y1="{y(seconds):.1f}" x2="{WIDTH - RIGHT}" '
                     f'y2="{y(seconds):.1f}" stroke="#ddd"/>')  # fmt: skip
        parts.append(f'<text x="{LEFT - 8}" y="{y(seconds) + 4:.1f}" '
                     f'text-anchor="end">{label}</text>')  # fmt: skip
    parts.append(f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - 18}" '
                 'text-anchor="middle">initiatives (about 57 triples each)</text>')  # fmt: skip
    for n, seconds, label in ((10_000, 0.1, "target at 10k"), (100_000, 1.0, "target at 100k")):
        parts.append(f'<circle cx="{x(n):.1f}" cy="{y(seconds):.1f}" r="6" fill="none" '
                     'stroke="#c00" stroke-width="2"/>')  # fmt: skip
        parts.append(f'<text x="{x(n) - 10:.1f}" y="{y(seconds) - 10:.1f}" fill="#c00" '
                     f'text-anchor="end">{escape(label)}</text>')  # fmt: skip
    colours = ["#1f77b4", "#1f77b4", "#2ca02c", "#2ca02c", "#d62728", "#d62728"]
    dashes = ["", "6,4", "", "6,4", "", "6,4"]
    drawn = 0
    for index, (name, points) in enumerate(series.items()):
        if not points:
            continue
        ordered = sorted(points.items())
        path = " ".join(f"{x(n):.1f},{y(s):.1f}" for n, s in ordered)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colours[index]}" '
                     f'stroke-width="2" stroke-dasharray="{dashes[index]}"/>')  # fmt: skip
        for n, s in ordered:
            parts.append(f'<circle cx="{x(n):.1f}" cy="{y(s):.1f}" r="3" '
                         f'fill="{colours[index]}"/>')  # fmt: skip
        legend_y = TOP + 20 + drawn * 22
        drawn += 1
        parts.append(f'<line x1="{WIDTH - RIGHT + 15}" y1="{legend_y}" x2="{WIDTH - RIGHT + 45}" '
                     f'y2="{legend_y}" stroke="{colours[index]}" stroke-width="2" '
                     f'stroke-dasharray="{dashes[index]}"/>')  # fmt: skip
        parts.append(f'<text x="{WIDTH - RIGHT + 52}" y="{legend_y + 4}">{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--results", type=Path, default=HERE / "out")
    parser.add_argument("-o", "--output", type=Path, default=HERE / "scaling.svg")
    arguments = parser.parse_args(argv)
    series = collect(arguments.results)
    if not any(series.values()):
        print(f"no benchmark results in {arguments.results}", file=sys.stderr)
        return 1
    temporary = arguments.output.with_suffix(".svg.tmp")
    temporary.write_text(draw(series), encoding="utf-8")
    temporary.replace(arguments.output)
    print(f"wrote {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
