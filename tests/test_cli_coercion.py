"""The CLI's own coercion of option values (cli/coercion.py) gives what typer's gives, value for
value and error for error, and keeps the libraries a command does not use out of its process."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
import typer.main
from typer._click import Context
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param

from initiative_kg.cli import app
from initiative_kg.cli.coercion import PlainRuntimeParam

SAMPLES: dict[Any, list[str]] = {
    str: ["initiatives", "", "a b", "-"],
    Path: ["data", "", "no/such/place.ttl", "-", "."],
    int: ["12", "0", "-3", "007", "+5", "1.5", "x", "", " 4", "1_000"],
    float: ["2", "1.5", "-0.25", "1e3", "x", "", ".5", "inf"],
    bool: ["true", "no", "x"],
}


def parameters() -> Iterator[tuple[str, Any, Any]]:
    """Every parameter of every ikg command (help options too), with its command."""
    root = typer.main.get_command(app)

    def walk(command: Any, name: str) -> Iterator[tuple[str, Any, Any]]:
        ctx = Context(command)
        for param in command.get_params(ctx):
            if hasattr(param, "type_descriptor"):
                yield f"{name} {param.name}", command, param
        for sub_name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, f"{name} {sub_name}")

    yield from walk(root, "ikg")


def samples(annotation: Any) -> list[Any]:
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        return [tuple(values) for values in zip(*[samples(item)] * 2, strict=False)] + [()]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        values = [str(member.value) for member in annotation]
        return [*values, *(v.upper() for v in values), "bogus", "", *list(annotation)]
    return [*SAMPLES[annotation], None]


def outcome(runtime: Any, value: Any, param: Any, ctx: Any) -> tuple[str, Any]:
    try:
        return "value", runtime.coerce(value, param=param, ctx=ctx)
    except BadParameter as error:
        return "error", error.format_message()


PARAMETERS = list(parameters())


def test_every_parameter_is_found() -> None:
    assert len(PARAMETERS) >= 90, len(PARAMETERS)  # the commands' options, counted by hand: 97


@pytest.mark.parametrize(
    ("command", "param"), [p[1:] for p in PARAMETERS], ids=[p[0] for p in PARAMETERS]
)
def test_coercion_gives_what_typer_gives(command: Any, param: Any, tmp_path: Path) -> None:
    descriptor = param.type_descriptor
    plain = PlainRuntimeParam(
        parameter_info=descriptor.parameter_info,
        annotation=descriptor.annotation,
        descriptor=descriptor,
    )
    typer_own = build_runtime_param(descriptor)
    ctx = Context(command)
    compared = 0
    for value in samples(descriptor.annotation):
        assert outcome(plain, value, param, ctx) == outcome(typer_own, value, param, ctx), value
        compared += 1
    assert compared >= 3


def imported_by(*args: str) -> set[str]:
    """The heavy libraries a whole ``ikg`` run imports."""
    program = (
        "import sys\n"
        "from initiative_kg.cli import main\n"
        f"sys.argv = ['ikg', *{list(args)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ('pydantic', 'rdflib', 'rdflib.plugins.sparql', 'pyparsing', 'pyshacl',"
        " 'pyshacl_turbo', 'networkx', 'fastapi', 'yaml', 'importlib.metadata')\n"
        "print('imported:', *(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=300
    )
    (line,) = [line for line in run.stderr.splitlines() if line.startswith("imported:")]
    return set(line.split()[1:])


def test_help_imports_no_graph_library() -> None:
    assert imported_by("--help") == set()


def test_a_query_imports_neither_pydantic_nor_the_validators() -> None:
    found = imported_by("query", "initiatives", "-f", "csv")
    assert "rdflib" in found  # the check that the test sees imports at all
    assert found.isdisjoint({"pydantic", "pyshacl", "pyshacl_turbo", "networkx", "fastapi"})


def test_validate_with_compiled_shapes_does_not_parse_sparql_with_rdflib() -> None:
    imported_by("validate", "-q")  # compiles and keeps the shapes in the session's cache folder
    found = imported_by("validate", "-q")
    assert "rdflib" in found
    assert found.isdisjoint({"pydantic", "rdflib.plugins.sparql", "pyparsing", "pyshacl"})
