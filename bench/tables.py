"""Print the Markdown tables of bench/RESULTS.md from the benchmark's JSON results
(bench/out/n<N>.json from run.py, n<N>-engine.json from run.py --engine-only, and
bench/out/jena/n<N>.json from run.py --engines oxigraph,jena).

    python bench/tables.py > /tmp/tables.md
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    value = seconds * 1000
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def tables(normal: dict[int, dict[str, Any]], engine: dict[int, dict[str, Any]]) -> str:
    lines = ["| N | synthetic triples | with the shipped graph | `KnowledgeGraph.load` | peak memory |",
             "|---|---|---|---|---|"]  # fmt: skip
    for n, r in normal.items():
        lines.append(f"| {n:,} | {r['triples']:,} | {r['graph_triples']:,} | "
                     f"{r['ikg_load_seconds']:.1f} s | {r['peak_memory_mb']:,.0f} MB |")  # fmt: skip
    for n, r in engine.items():
        lines.append(f"| {n:,} (engine alone) | {r['triples']:,} | - | - | "
                     f"{r['peak_memory_mb']:,.0f} MB |")  # fmt: skip
    lines += ["", "Load, triples per second:", "", "| N | format | rdflib | Oxigraph | ratio |",
              "|---|---|---|---|---|"]  # fmt: skip
    for n, r in normal.items():
        for fmt, rate in r["load_triples_per_second"].get("oxigraph", {}).items():
            slow = r["load_triples_per_second"].get("rdflib", {}).get(fmt)
            ratio = f"{rate / slow:.0f}x" if slow else "-"
            lines.append(
                f"| {n:,} | {fmt} | {f'{slow:,.0f}' if slow else '-'} | {rate:,.0f} | {ratio} |"
            )
    for n, r in engine.items():
        for fmt, rate in r["load_triples_per_second"].items():
            lines.append(f"| {n:,} (engine alone) | {fmt} | - | {rate:,.0f} | - |")
    with_commands = {n: r for n, r in normal.items() if "cli" in r}
    if with_commands:
        lines += ["", "Whole commands from a cold start, each its own process, on the synthetic file "
                  "with the shipped graph (wall time, median; peak resident memory):", "",
                  "| N | triples | command | seconds | triples per second | peak memory |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        for n, r in with_commands.items():
            for command, v in r["cli"].items():
                # `ikg --help` reads no graph: no rate
                rate = (
                    "-" if command == "ikg --help" else f"{r['graph_triples'] / v['seconds']:,.0f}"
                )
                lines.append(f"| {n:,} | {r['graph_triples']:,} | `{command}` | {v['seconds']:.2f} | "
                             f"{rate} | {v['peak_memory_mb']:,.0f} MB |")  # fmt: skip
    lines += ["", "Validation (the whole report: shapes and quality checks):", "",
              "| N | triples | path | seconds | triples per second |", "|---|---|---|---|---|"]  # fmt: skip
    names = {"oxigraph": "`validate()` (compiled, Oxigraph)", "rdflib": "pySHACL on rdflib"}
    for n, r in normal.items():
        for name, v in r.get("validate", {}).items():
            lines.append(f"| {n:,} | {r['graph_triples']:,} | {names[name]} | "
                         f"{v['seconds']:.2f} | {v['triples_per_second']:,.0f} |")  # fmt: skip
    for n, r in engine.items():
        v = r["validate"]
        lines.append(f"| {n:,} | {r['triples']:,} | compiled queries, engine alone | "
                     f"{v['seconds']:.2f} | {v['triples_per_second']:,.0f} |")  # fmt: skip
    ids = sorted(set().union(*[r["queries_seconds"] for r in normal.values()]) - {"_engine_setup"})
    with_virtuoso = [n for n, r in normal.items() if "push_virtuoso" in r]
    columns = [f"N={n:,}" for n in normal] + [f"N={n:,} engine alone" for n in engine]
    columns += [f"Virtuoso N={n:,}" for n in with_virtuoso]
    lines += ["", "Queries, median ms. rdflib and the ratio at N = 100; then Oxigraph through "
              "`kg.query` (rows turned into rdflib terms), Oxigraph alone (rows counted) and "
              "Virtuoso 7.2 over HTTP (`ikg query --endpoint`):", "",
              "| query | rdflib N=100 | rdflib/Oxigraph | " + " | ".join(columns) + " |",
              "|---|---|---|" + "---|" * len(columns)]  # fmt: skip
    smallest = normal[min(normal)]["queries_seconds"] if normal else {}
    for query_id in ids:
        slow, fast = (
            smallest.get(query_id, {}).get("rdflib"),
            smallest.get(query_id, {}).get("oxigraph"),
        )
        row = [ms(slow), f"{slow / fast:.0f}x" if slow and fast else "-"]
        row += [ms(r["queries_seconds"].get(query_id, {}).get("oxigraph")) for r in normal.values()]
        row += [ms(r["queries"].get(query_id, {}).get("seconds")) for r in engine.values()]
        row += [
            ms(normal[n]["queries_seconds"].get(query_id, {}).get("virtuoso"))
            for n in with_virtuoso
        ]
        lines.append(f"| {query_id} | " + " | ".join(row) + " |")
    for n, r in normal.items():
        for query_id, refused in r.get("queries_refused", {}).items():
            for engine_name, message in refused.items():
                reason = " ".join(message.replace("\\n", " ").split())
                reason = reason[reason.find("Virtuoso ") :] if "Virtuoso " in reason else reason
                lines.append(f"\n{engine_name} refused `{query_id}` at N = {n:,}: {reason[:120]}")
    if with_virtuoso:
        lines += ["", "Loading Virtuoso with `ikg push` (staging graphs, then one MOVE):", "",
                  "| N | triples | seconds | triples per second |", "|---|---|---|---|"]  # fmt: skip
        for n in with_virtuoso:
            pushed = normal[n]["push_virtuoso"]
            lines.append(f"| {n:,} | {pushed['triples']:,} | {pushed['seconds']:.1f} | "
                         f"{pushed['triples_per_second']:,.0f} |")  # fmt: skip
    for n, r in normal.items():
        if "network_seconds" not in r:
            continue
        steps = {
            **r["network_seconds"],
            **{f"export {k}": v for k, v in r.get("export_seconds", {}).items()},
        }
        lines += [
            "",
            f"Network and exports at N = {n:,}, seconds:",
            "",
            "| step | seconds |",
            "|---|---|",
        ]
        lines += [f"| {step} | {seconds:.2f} |" for step, seconds in steps.items()]
    return "\n".join(lines) + "\n"


def ratio(slower: float | None, faster: float | None) -> str:
    return f"{slower / faster:.1f}x" if slower and faster else "-"


def jena_tables(normal: dict[int, dict[str, Any]]) -> list[str]:
    """Apache Jena beside the default engine (run.py --engines jena): each query in each of
    Jena's two ways of holding the data, the answers that differ, and the validation."""
    with_jena = {n: r for n, r in normal.items() if "jena" in r}
    lines: list[str] = []
    for n, r in with_jena.items():
        jena, times, cpu = r["jena"], r["queries_seconds"], r["jena"].get("cpu_seconds", {})
        ids = sorted(i for i, t in times.items() if "jena-union" in t or "jena-merged" in t)
        lines += ["", f"Apache Jena {jena['jena']} (Java {jena['java']}) at N = {n:,} "
                  f"({r['graph_triples']:,} triples), median ms, warm: the default engine "
                  "through `kg.query`, Oxigraph's store alone (rows counted), Jena ARQ in memory "
                  "over the named graphs with their union as the default graph (as ikg holds "
                  "them) and over one merged default graph; the ratios are Jena's time over the "
                  "default engine's (above 1: the default engine is ahead), of the wall time and "
                  "of the CPU time each engine's process used (less disturbed by other work on "
                  "the machine). Jena loaded the "
                  f"N-Quads in {jena['load_seconds'].get('union', 0):.1f} s (union) and "
                  f"{jena['load_seconds'].get('merged', 0):.1f} s (merged).", "",
                  "| query | default | Oxigraph alone | Jena union | Jena merged | union/default | merged/default | CPU union/default | CPU merged/default |",
                  "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for query_id in ids:
            t = times[query_id]
            default, union, merged = t.get("oxigraph"), t.get("jena-union"), t.get("jena-merged")
            c = cpu.get(query_id, {})
            lines.append(f"| {query_id} | {ms(default)} | {ms(t.get('oxigraph-alone'))} | "
                         f"{ms(union)} | {ms(merged)} | {ratio(union, default)} | "
                         f"{ratio(merged, default)} | "
                         f"{ratio(c.get('jena-union'), c.get('oxigraph'))} | "
                         f"{ratio(c.get('jena-merged'), c.get('oxigraph'))} |")  # fmt: skip
        graphs = set(jena.get("reads_named_graphs", []))
        for query_id, modes in sorted(jena.get("differences", {}).items()):
            for mode, what in sorted(modes.items()):
                why = " (reads the named graphs, which one merged graph has not)" if (
                    mode == "merged" and query_id in graphs) else ""  # fmt: skip
                lines.append(f"\nJena ({mode}) differs on `{query_id}`{why}: {what[:300]}")
        for query_id, modes in sorted(jena.get("refused", {}).items()):
            for mode, message in sorted(modes.items()):
                lines.append(f"\n{mode} failed on `{query_id}`: {message[:200]}")
    shacl_rows = [(n, r) for n, r in with_jena.items() if r["jena"].get("shacl")]
    if shacl_rows:
        lines += ["", "Jena SHACL against the default validation (shapes only, no quality "
                  "checks), on every triple in one graph; seconds (Jena: warm, median):", "",
                  "| N | triples | shapes | Jena SHACL | default | Jena/default | CPU Jena/default | results Jena / default | same results |",
                  "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for n, r in shacl_rows:
            for name, v in r["jena"]["shacl"].items():
                if "error" in v:
                    reason = v["error"].split(" (at ")[0]
                    lines.append(f"| {n:,} | {v['data_triples']:,} | {name} | refused: "
                                 f"{reason[:160]} | - | - | - | - | - |")  # fmt: skip
                    continue
                default = v.get("default_seconds")
                lines.append(f"| {n:,} | {v['data_triples']:,} | {name} | {v['seconds']:.2f} | "
                             f"{f'{default:.2f}' if default else '-'} | "
                             f"{ratio(v['seconds'], default)} | "
                             f"{ratio(v.get('cpu_seconds'), v.get('default_cpu_seconds'))} | "
                             f"{v['results']:,} / "
                             f"{v.get('default_results', '-')} | "
                             f"{'yes' if v.get('same_results') else 'no'} |")  # fmt: skip
    return lines


def median(values: list[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def pair(wall: float | None, cpu: float | None) -> str:
    return f"{wall:.2f}, {cpu:.2f}" if wall is not None and cpu is not None else "-"


def wrong_in_merged(result: dict[str, Any]) -> set[str]:
    """The query files that read the named graphs, which one merged graph has not, and any
    other whose answer from Jena over one merged graph was not the default engine's rows: a
    time for a wrong answer (or for one right only because the data has nothing to find, as a
    check across graphs) is no comparison. Rows in another order are the same answer
    (difference 2 of RESULTS.md's Jena section)."""
    jena = result.get("jena", {})
    return set(jena.get("reads_named_graphs", [])) | {
        query_id
        for query_id, modes in jena.get("differences", {}).items()
        if "merged" in modes and not modes["merged"].startswith("the same rows in another order")
    }


QUERY_TARGETS = {10_000: 0.1, 100_000: 1.0}  # issue 16, goal 2: seconds, results included


def goals_tables(folder: Path) -> list[str]:
    """Issue 16's four goals from one run of ``run.py --initiatives 100,1000,... --out DIR``:
    each goal's figures at every size, and whether it is met."""
    sizes = {int(r["initiatives"]): r for r in
             (json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("n*.json"))}  # fmt: skip
    sizes = dict(sorted(sizes.items()))
    lines: list[str] = []
    cold_file = folder / "cold.json"
    if cold_file.exists():
        cold = json.loads(cold_file.read_text(encoding="utf-8"))
        lines += ["Goal 1, cold commands on the shipped graph (each its own process, median of "
                  f"{next(iter(cold['commands'].values()))['runs']} runs, {cold['date']}):", "",
                  "| command | target | wall | CPU | peak memory | met |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        for command, v in cold["commands"].items():
            lines.append(f"| `{command}` | < {v['target_seconds']:.1f} s | {v['seconds']:.2f} s | "
                         f"{v['cpu_seconds']:.2f} s | {v['peak_memory_mb']:,.0f} MB | "
                         f"{'yes' if v['met'] else 'no'} |")  # fmt: skip
    if not sizes:
        return lines
    # the catalogue's ids; the Jena column adds the network edges and checks as network/ID
    ids = sorted({i for r in sizes.values() for i, t in r["queries_seconds"].items()
                  if not i.startswith("_") and "/" not in i and "oxigraph" in t})  # fmt: skip
    header = " | ".join(f"N = {n:,}" for n in sizes)
    lines += ["", "Goal 2, every catalogue query on the default engine through `kg.query` "
              "(results turned into terms), median ms, warm; the target is < 100 ms at "
              "N = 10,000 and < 1 s at N = 100,000:", "",
              f"| query | {header} |", "|---" * (len(sizes) + 1) + "|"]  # fmt: skip
    met = {n: 0 for n in QUERY_TARGETS}
    measured = {n: 0 for n in QUERY_TARGETS}
    for query_id in ids:
        cells = []
        for n, r in sizes.items():
            seconds = r["queries_seconds"].get(query_id, {}).get("oxigraph")
            mark = ""
            if n in QUERY_TARGETS and seconds is not None:
                measured[n] += 1
                if seconds < QUERY_TARGETS[n]:
                    met[n] += 1
                else:
                    mark = " ✗"
            cells.append(ms(seconds) + mark)
        lines.append(f"| `{query_id}` | {' | '.join(cells)} |")
    for n in QUERY_TARGETS:
        if measured[n]:
            lines.append(f"\nAt N = {n:,}: {met[n]} of {measured[n]} under "
                         f"{QUERY_TARGETS[n] * 1000:,.0f} ms (✗: over).")  # fmt: skip
    stored = {n: r["persistent_store"] for n, r in sizes.items() if "persistent_store" in r}
    if stored:
        lines += ["", "Goal 3, `ikg --store DIR query funding-by-year --data FILE`, each its own "
                  "process: the first command parses the file and writes the entry, the next ones "
                  "open it; beside it the same command without `--store` (memory):", "",
                  "| N | triples | in memory | built: wall, peak | opened: wall, CPU, peak | on disk |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        for n, v in stored.items():
            if "error" in v:
                lines.append(f"| {n:,} | {sizes[n]['graph_triples']:,} | failed: "
                             f"{v['error'].splitlines()[-1][:200]} | | | |")  # fmt: skip
                continue
            plain = sizes[n].get("cli", {}).get("ikg query funding-by-year")
            in_memory = (
                f"{plain['seconds']:.2f} s, {plain['peak_memory_mb']:,.0f} MB" if plain else "-"
            )
            built, opened = v["built"], v["opened"]
            lines.append(f"| {n:,} | {sizes[n]['graph_triples']:,} | {in_memory} | "
                         f"{built['seconds']:.2f} s, {built['peak_memory_mb']:,.0f} MB | "
                         f"{opened['seconds']:.2f} s, {opened['cpu_seconds']:.2f} s, "
                         f"{opened['peak_memory_mb']:,.0f} MB | {v['disk_mb']:,.0f} MB |")  # fmt: skip
    lines += ["", "Goal 4 and the ratios against the other engines: how many queries the default "
              "engine answers at least as fast (wall time, warm, median; every query file: the "
              "catalogue, and for Jena also the network edges and the checks, less those whose answer from Jena's merged graph is "
              "wrong, as it has no named graphs), and the median and smallest ratio "
              "(other engine's time over the default's; above 1: the default is ahead):", "",
              "| N | other engine | queries where default is at least as fast | median ratio | smallest ratio (query) |",
              "|---|---|---|---|---|"]  # fmt: skip
    for n, r in sizes.items():
        pairs: dict[str, list[tuple[float, str]]] = {}
        merged_wrong = wrong_in_merged(r)
        for query_id, t in r["queries_seconds"].items():
            if query_id.startswith("_"):
                continue
            for other in ("rdflib", "virtuoso", "jena-union", "jena-merged"):
                if other == "jena-merged" and query_id in merged_wrong:
                    continue
                if t.get(other) and t.get("oxigraph"):
                    pairs.setdefault(other, []).append((t[other] / t["oxigraph"], query_id))
        # A Jena query stopped at the time limit counts at that limit: its ratio is a lower bound.
        stopped: dict[str, list[float]] = {}
        for query_id, modes in r.get("jena", {}).get("timed_out", {}).items():
            default = r["queries_seconds"].get(query_id, {}).get("oxigraph")
            for other, seconds in modes.items():
                if default and not (other == "jena-merged" and query_id in merged_wrong):
                    pairs.setdefault(other, []).append((seconds / default, query_id))
                    stopped.setdefault(other, []).append(seconds)
        for other, found in pairs.items():
            ahead = sum(1 for value, _ in found if value >= 1)
            worst = min(found)
            note = (f" ({len(stopped[other])} stopped at {max(stopped[other]):.0f} s, counted at that: "
                    "the ratios are at least these)" if other in stopped else "")  # fmt: skip
            # two significant digits below 0.1x, where two decimals would show 0.00x
            smallest = f"{worst[0]:.2g}" if worst[0] < 0.1 else f"{worst[0]:.2f}"
            lines.append(f"| {n:,} | {other} | {ahead} of {len(found)}{note} | "
                         f"{median([v for v, _ in found]):.1f}x | {smallest}x (`{worst[1]}`) |")  # fmt: skip
    lines += ["", "Validation, the default engine against pySHACL (the reference, up to N = 200) "
              "and Jena SHACL (shapes with one message each, as Jena requires); seconds, and "
              "the default's CPU time per million triples (linear growth keeps it flat); the "
              "first two columns validate the shapes and the quality checks, the Jena columns "
              "the one-message shapes alone on both engines:", "",
              "| N | triples | default | pySHACL | Jena SHACL: wall, CPU | default: wall, CPU | Jena/default (CPU) | default CPU s per M triples | same results |",
              "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for n, r in sizes.items():
        validation = r.get("validate", {})
        shacl = r.get("jena", {}).get("shacl", {}).get("one-message", {})
        default = validation.get("oxigraph", {}).get("seconds")
        reference = validation.get("rdflib", {}).get("seconds")
        jena_cpu, default_cpu = shacl.get("cpu_seconds"), shacl.get("default_cpu_seconds")
        per_million = default_cpu / (shacl["data_triples"] / 1e6) if default_cpu else None
        same = [
            x for x in (r.get("validate_same_report"), shacl.get("same_results")) if x is not None
        ]
        lines.append(f"| {n:,} | {r['graph_triples']:,} | {f'{default:.2f}' if default else '-'} | "
                     f"{f'{reference:.2f}' if reference else '-'} | "
                     f"{pair(shacl.get('seconds'), jena_cpu)} | "
                     f"{pair(shacl.get('default_seconds'), default_cpu)} | "
                     f"{ratio(jena_cpu, default_cpu)} | "
                     f"{f'{per_million:.1f}' if per_million else '-'} | "
                     f"{('yes' if all(same) else 'no') if same else '-'} |")  # fmt: skip
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--results", type=Path, default=HERE / "out")
    parser.add_argument(
        "--goals",
        type=Path,
        metavar="DIR",
        help="instead: issue 16's goals from one run of run.py --out DIR at several sizes",
    )
    arguments = parser.parse_args(argv)
    if arguments.goals is not None:
        lines = goals_tables(arguments.goals)
        if not lines:
            print(f"no results of run.py --out in {arguments.goals}", file=sys.stderr)
            return 1
        print("\n".join(lines))
        return 0
    normal: dict[int, dict[str, Any]] = {}
    engine: dict[int, dict[str, Any]] = {}
    for path in sorted(arguments.results.glob("*.json")):
        result = json.loads(path.read_text(encoding="utf-8"))
        (engine if result.get("mode") == "engine-only" else normal)[int(result["initiatives"])] = (
            result
        )
    jena: dict[int, dict[str, Any]] = {}
    for path in sorted((arguments.results / "jena").glob("*.json")):
        result = json.loads(path.read_text(encoding="utf-8"))
        jena[int(result["initiatives"])] = result
    if not normal and not engine and not jena:
        print(f"no benchmark results in {arguments.results}", file=sys.stderr)
        return 1
    if normal or engine:
        print(tables(dict(sorted(normal.items())), dict(sorted(engine.items()))), end="")
    if jena:
        print("\n".join(jena_tables(dict(sorted(jena.items())))), end="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
