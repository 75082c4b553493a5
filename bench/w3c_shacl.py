"""The W3C SHACL test suite (Core and SHACL-SPARQL) on each SHACL engine at hand.

Run by hand, never in the tests (the suite cannot be downloaded in CI):

    git -C /path/to/w3c/data-shapes worktree add /tmp/data-shapes HEAD
    python bench/w3c_shacl.py /tmp/data-shapes

PATH is a checkout of https://github.com/w3c/data-shapes (or its data-shapes-test-suite folder,
or that folder's tests/). Each sht:Validate entry of the core/ and sparql/ manifests runs on:

- ``ikg-oxigraph``: the project's default engine (``validate(..., engine="oxigraph")`` on the
  data as ``KnowledgeGraph.load`` reads it), and ``ikg-rdflib``, the project's pySHACL engine;
- ``pyshacl``: pySHACL on the files as rdflib parses them (the reference of the tests);
- ``pyshacl-turbo`` and ``pyrudof`` where they are installed (they are not project dependencies).

A case passes when the engine refuses a shapes graph the entry expects to fail (sht:Failure), or
gives the expected verdict and the expected multiset of results (focus node, path, value,
component, severity, source shape; tests/shacl_reports.py), messages aside. For each engine the
script prints passed/total per suite, the WRONG "conforms" (the engine says the data conforms
where the expected report has results) apart from the other mismatches, and the cases it crashed
on. An engine that gives blank nodes of its own in its report (pyrudof) is compared with every
blank node as one wildcard.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from rdflib import Graph  # noqa: E402

from tests.shacl_reports import (  # noqa: E402
    Case,
    Report,
    blanks_as_wildcards,
    differences,
    parse,
    project_report,
    pyshacl_report,
    read_manifest,
    report_from_results_graph,
)

Runner = Callable[[Case], Report]


class Refused(Exception):
    """The engine refused the shapes graph (the answer sht:Failure expects)."""


def _ikg(engine: str) -> Runner:
    def run(case: Case) -> Report:
        from initiative_kg.errors import InitiativeKGError

        try:
            return project_report(case.data, case.shapes, engine)
        except InitiativeKGError as error:  # the project's way of refusing (exit 2)
            raise Refused(str(error)) from error

    return run


def _pyshacl(case: Case) -> Report:
    data, shapes = parse(case.data), parse(case.shapes)
    try:
        return pyshacl_report(data, shapes)
    except AssertionError:
        raise
    except Exception as error:
        raise Refused(str(error)) from error


def _pyshacl_turbo(case: Case) -> Report:
    import pyshacl_turbo

    data, shapes = parse(case.data), parse(case.shapes)
    try:
        _, results, text = pyshacl_turbo.validate(
            data, shacl_graph=shapes, advanced=True, inference="none"
        )
    except Exception as error:
        raise Refused(str(error)) from error
    if not isinstance(results, Graph):  # it returns a failure object for a refused shape
        raise Refused(str(text))
    return report_from_results_graph(data, shapes, results)


def _pyrudof(case: Case) -> Report:
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    try:
        rudof.read_data(str(case.data), base=case.data.as_uri())
        rudof.read_shacl(str(case.shapes), base=case.shapes.as_uri())
        rudof.validate_shacl()
    except Exception as error:
        raise Refused(str(error)) from error
    turtle = rudof.serialize_shacl_validation_results(
        format=pyrudof.ResultShaclValidationFormat.Turtle
    )
    results = Graph().parse(data=turtle, format="turtle")
    return report_from_results_graph(parse(case.data), parse(case.shapes), results)


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


ENGINES: dict[str, tuple[Runner, bool]] = {
    # name: (runner, whether its report's blank nodes are its own, compared as wildcards)
    "ikg-oxigraph": (_ikg("oxigraph"), False),
    "ikg-rdflib": (_ikg("rdflib"), False),
    "pyshacl": (_pyshacl, False),
    "pyshacl-turbo": (_pyshacl_turbo, False),
    "pyrudof": (_pyrudof, True),
}
NEEDS = {"pyshacl-turbo": "pyshacl_turbo", "pyrudof": "pyrudof"}


@dataclass
class Score:
    passed: list[str] = field(default_factory=list)
    wrong_conforms: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)


def run_case(case: Case, runner: Runner, wildcards: bool) -> tuple[str, str]:
    """('pass' | 'wrong-conforms' | 'mismatch' | 'crash', detail) for one case on one engine."""
    try:
        got = runner(case)
    except Refused as refusal:
        if case.must_fail:
            return "pass", ""
        return "crash", f"refused: {str(refusal).strip().splitlines()[0][:160]}"
    except Exception as error:  # an engine bug, reported as such, never as a pass
        return "crash", f"{type(error).__name__}: {str(error).strip()[:160]}"
    if case.expected is None:
        return "mismatch", "accepted shapes it must refuse (sht:Failure)"
    expected = Report(case.expected.results)
    if wildcards:
        expected, got = blanks_as_wildcards(expected), blanks_as_wildcards(got)
    problems = differences(expected, Report(got.results))
    if not problems:
        return "pass", ""
    if got.conforms and not expected.conforms:
        return "wrong-conforms", problems[0]
    return "mismatch", "; ".join(problems[:3])[:300]


def suites(root: Path) -> dict[str, Path]:
    for tests in (root / "data-shapes-test-suite" / "tests", root / "tests", root):
        core, sparql = tests / "core" / "manifest.ttl", tests / "sparql" / "manifest.ttl"
        if core.exists() and sparql.exists():
            return {"core": core, "sparql": sparql}
    raise SystemExit(f"no data-shapes-test-suite/tests/{{core,sparql}}/manifest.ttl under {root}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help="a checkout of w3c/data-shapes")
    parser.add_argument(
        "--engines",
        default=",".join(ENGINES),
        help=f"comma-separated, from {', '.join(ENGINES)} (default: those installed)",
    )
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)  # the engines log every ill-formed literal
    warnings.simplefilter("ignore")
    manifests = suites(args.checkout.resolve())
    cases = {name: read_manifest(path) for name, path in manifests.items()}
    for name in args.engines.split(","):
        if name not in ENGINES:
            raise SystemExit(f"unknown engine {name}; use {', '.join(ENGINES)}")
        if name in NEEDS and not _installed(NEEDS[name]):
            print(f"== {name}: not installed, left out\n")
            continue
        runner, wildcards = ENGINES[name]
        print(f"== {name}")
        for suite, entries in cases.items():
            score = Score()
            for case in entries:
                label = _label(case, manifests[suite].parent)
                outcome, detail = run_case(case, runner, wildcards)
                {
                    "pass": score.passed,
                    "wrong-conforms": score.wrong_conforms,
                    "mismatch": score.mismatches,
                    "crash": score.crashes,
                }[outcome].append(f"{label}: {detail}" if detail else label)
            print(f"  {suite}: {len(score.passed)}/{len(entries)} passed")
            for title, found in (
                ('WRONG "conforms"', score.wrong_conforms),
                ("other mismatches", score.mismatches),
                ("crashed or refused", score.crashes),
            ):
                if found:
                    print(f"    {title} ({len(found)}):")
                    for line in found:
                        print(f"      {line}")
        print()
    return 0


def _label(case: Case, root: Path) -> str:
    try:
        where = case.path.relative_to(root).with_suffix("").as_posix()
    except ValueError:
        where = case.path.stem
    name = str(case.entry).rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return where if where.endswith(name) else f"{where}#{name}"


if __name__ == "__main__":
    raise SystemExit(main())
