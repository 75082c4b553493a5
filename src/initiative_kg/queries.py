"""The query catalogue: SPARQL files with a ``#+`` header, and safe binding of their parameters.

A query file starts with header lines in the grlc style::

    #+ title: Initiatives active in a year
    #+ description: ...
    #+ params:
    #+   - {name: year, type: integer, description: The calendar year.}
    #+ columns: [initiative, title, start, end]

Parameter values are checked against their declared type, turned into RDF terms, and bound with
a ``VALUES`` block placed at the start of the group after the query's first ``WHERE`` (see
``sparql_text``). A value never becomes query text except as an RDF term written with every
delimiter escaped and read back to check, so it cannot change the query.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from initiative_kg.assets import layout
from initiative_kg.errors import QueryError
from initiative_kg.namespaces import PREFIXES
from initiative_kg.sparql_text import bind_values

__all__ = ["bind_values"]  # binding lives in sparql_text; importable from here as before

PARAM_TYPES = ("integer", "decimal", "boolean", "date", "iri", "string", "langstring")
CHECKS_FOLDER = "checks"
NETWORK_FOLDER = "network"  # edge queries of the network projections (see network.py)

_HEADER_LINE = re.compile(r"^#\+ ?(.*)$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
# Characters that may not appear in an IRI written between angle brackets (RFC 3987, SPARQL).
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_PREFIXED = re.compile(r"^([A-Za-z][\w-]*):([\w./%-]*)$")
_LANGSTRING = re.compile(r"^(.*)@([A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)$", re.DOTALL)


@dataclass(frozen=True)
class Parameter:
    """A declared parameter: its name (the query variable), type, default and meaning."""

    name: str
    type: str
    default: str | None = None
    description: str = ""
    example: str | None = None  # a value that gives a telling answer on the shipped graph

    @property
    def required(self) -> bool:
        return self.default is None

    def to_term(self, raw: str) -> Node:
        """Check a value against the declared type and return it as an RDF term."""
        value = raw.strip()
        problem = f"parameter '{self.name}' expects {self._expects()}, not {raw!r}"
        if self.type == "integer":
            if not _INTEGER.match(value):
                raise QueryError(problem)
            if len(value.lstrip("+-")) > sys.get_int_max_str_digits():
                raise QueryError(
                    f"parameter '{self.name}' expects an integer of at most "
                    f"{sys.get_int_max_str_digits():,} digits"
                )
            return Literal(int(value), datatype=XSD.integer)
        if self.type == "decimal":
            if not _DECIMAL.match(value):
                raise QueryError(problem)
            try:
                return Literal(Decimal(value), datatype=XSD.decimal)
            except InvalidOperation as error:
                raise QueryError(problem) from error
        if self.type == "boolean":
            if value.lower() not in {"true", "false"}:
                raise QueryError(problem)
            return Literal(value.lower() == "true")
        if self.type == "date":
            try:
                return Literal(date.fromisoformat(value), datatype=XSD.date)
            except ValueError as error:
                raise QueryError(problem) from error
        if self.type == "iri":
            return URIRef(_expand_iri(value, problem))
        if self.type == "langstring":
            match = _LANGSTRING.match(raw)
            if not match:
                raise QueryError(problem)
            return Literal(match.group(1), lang=match.group(2))
        return Literal(raw)

    def _expects(self) -> str:
        return {
            "integer": "an integer (e.g. 2016)",
            "decimal": "a decimal number (e.g. 9600000.0)",
            "boolean": "true or false",
            "date": "a date as YYYY-MM-DD",
            "iri": "an IRI (https://...) or a prefixed name (e.g. organisation:socialstyrelsen)",
            "langstring": "text with a language tag (e.g. Pårørende@da)",
        }.get(self.type, "text")


@dataclass(frozen=True)
class CatalogueQuery:
    """One query file: its id (the file name), header and SPARQL text."""

    id: str
    path: Path
    title: str
    description: str
    params: tuple[Parameter, ...]
    columns: tuple[str, ...]
    text: str
    header: Mapping[str, Any] = field(default_factory=dict)

    def examples(self) -> dict[str, str]:
        """Example values of the parameters (from the header), for documentation and tests."""
        return {p.name: p.example for p in self.params if p.example is not None}

    def parameter(self, name: str) -> Parameter:
        for parameter in self.params:
            if parameter.name == name:
                return parameter
        known = ", ".join(p.name for p in self.params) or "none"
        raise QueryError(f"query '{self.id}' has no parameter '{name}' (its parameters: {known})")

    def bind(self, values: Mapping[str, str] | None = None) -> str:
        """The query text with every parameter bound: given values, else defaults."""
        values = dict(values or {})
        for name in values:
            self.parameter(name)  # unknown names are an error, not silently ignored
        terms: dict[str, Node] = {}
        for parameter in self.params:
            raw = values.get(parameter.name, parameter.default)
            if raw is None:
                raise QueryError(
                    f"query '{self.id}' needs the parameter '{parameter.name}' "
                    f"({parameter._expects()}): give --param {parameter.name}=VALUE"
                )
            terms[parameter.name] = parameter.to_term(str(raw))
        return bind_values(self.text, terms)


def _expand_iri(value: str, problem: str) -> str:
    """A prefixed name with one of the project's prefixes, an IRI in angle brackets, or a bare
    IRI whose scheme is followed by "//" (http://...) or is "urn". Anything else that looks
    like a prefixed name is an unknown prefix, not an IRI: ``initiatve:x`` would otherwise be
    taken as an IRI of the scheme "initiatve" and match nothing, without a word."""
    match = _PREFIXED.match(value)
    if match and match.group(1) in PREFIXES:
        value = PREFIXES[match.group(1)] + match.group(2)
    elif value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    elif match and not match.group(2).startswith("//") and match.group(1).lower() != "urn":
        raise QueryError(
            f"{problem}: '{match.group(1)}' is not a known prefix (known: "
            f"{', '.join(sorted(PREFIXES))}); write another IRI in full, in angle brackets"
        )
    if not _ABSOLUTE_IRI.match(value) or _IRI_FORBIDDEN.search(value):
        raise QueryError(problem)
    return value


# ---------------------------------------------------------------------- reading query files


def read_query(path: Path, *, query_id: str | None = None) -> CatalogueQuery:
    """Read a query file (or text, for ``path`` = ``-``) with an optional ``#+`` header."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is not part of the text
    except FileNotFoundError as error:
        raise QueryError(f"{path}: no such query file") from error
    except (OSError, UnicodeDecodeError) as error:
        raise QueryError(f"{path}: cannot read the query file: {error}") from error
    return parse_query_text(text, path=path, query_id=query_id or path.stem)


def parse_query_text(text: str, *, path: Path, query_id: str) -> CatalogueQuery:
    header_lines = []
    for line in text.splitlines():
        match = _HEADER_LINE.match(line)
        if match is None:
            if line.strip() and not line.startswith("#"):
                break
            continue
        header_lines.append(match.group(1))
    header: dict[str, Any] = {}
    if header_lines:
        try:
            loaded = yaml.safe_load("\n".join(header_lines))
        except yaml.YAMLError as error:
            raise QueryError(f"{path}: the '#+' header is not valid YAML: {error}") from error
        if not isinstance(loaded, dict):
            raise QueryError(f"{path}: the '#+' header must be 'key: value' lines")
        header = loaded
    params = tuple(_parameter(path, raw) for raw in header.get("params") or [])
    columns = header.get("columns") or []
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise QueryError(f"{path}: 'columns' must be a list of names, e.g. [initiative, title]")
    return CatalogueQuery(
        id=query_id,
        path=path,
        title=str(header.get("title", query_id)),
        description=" ".join(str(header.get("description", "")).split()),
        params=params,
        columns=tuple(columns),
        text=text,
        header=header,
    )


def _parameter(path: Path, raw: object) -> Parameter:
    if not isinstance(raw, dict) or "name" not in raw:
        raise QueryError(f"{path}: each parameter needs at least a name: {raw!r}")
    kind = str(raw.get("type", "string"))
    if kind not in PARAM_TYPES:
        raise QueryError(
            f"{path}: parameter '{raw['name']}' has unknown type '{kind}' "
            f"(use one of {', '.join(PARAM_TYPES)})"
        )
    default = raw.get("default")
    if isinstance(default, bool):
        default = str(default).lower()
    example = raw.get("example", default)
    return Parameter(
        name=str(raw["name"]),
        type=kind,
        default=None if default is None else str(default),
        description=str(raw.get("description", "")),
        example=None if example is None else str(example),
    )


@cache
def catalogue() -> dict[str, CatalogueQuery]:
    """Every catalogue query by id (quality checks and network edges excluded), read once."""
    return {query_id: _catalogue_query(path) for query_id, path in _catalogue_files().items()}


@cache
def _catalogue_files() -> dict[str, Path]:
    """Every catalogue query's file by id: the files are listed, not read (a query run by its id
    reads only its own file)."""
    return _files_by_id(layout().queries_dir, exclude=(CHECKS_FOLDER, NETWORK_FOLDER))


@cache
def _catalogue_query(path: Path) -> CatalogueQuery:
    return read_query(path)


@cache
def checks() -> dict[str, CatalogueQuery]:
    """The quality checks (``queries/checks/*-violation.rq``) by id."""
    return _read_folder(layout().queries_dir / CHECKS_FOLDER)


@cache
def network_queries() -> dict[str, CatalogueQuery]:
    """The edge queries of the network projections (``queries/network/*.rq``) by id."""
    return _read_folder(layout().queries_dir / NETWORK_FOLDER)


def _read_folder(folder: Path) -> dict[str, CatalogueQuery]:
    return {query_id: read_query(path) for query_id, path in _files_by_id(folder).items()}


def _files_by_id(folder: Path, *, exclude: tuple[str, ...] = ()) -> dict[str, Path]:
    """The query files below ``folder`` by id (the file's name without .rq, as read_query names
    a query); one id twice is an error."""
    files: dict[str, Path] = {}
    for path in sorted(folder.rglob("*.rq")):
        if set(path.relative_to(folder).parts[:-1]) & set(exclude):
            continue
        if path.stem in files:
            raise QueryError(f"{path}: the id '{path.stem}' is used by {files[path.stem]} too")
        files[path.stem] = path
    return files


def resolve(reference: str, stdin_text: str | None = None) -> CatalogueQuery:
    """A catalogue id, a path to a .rq file, or '-' for query text on standard input."""
    if reference == "-":
        if stdin_text is None:
            raise QueryError("no query text on standard input")
        text = stdin_text.removeprefix("\ufeff")
        return parse_query_text(text, path=Path("<stdin>"), query_id="stdin")
    known = _catalogue_files()
    if reference in known:
        return _catalogue_query(known[reference])
    path = Path(reference)
    if path.suffix == ".rq" or _exists(path):
        return read_query(path)
    if _SPARQL_FORM.search(reference):
        shown = " ".join(reference.split())
        raise QueryError(
            f"'{shown[:60]}{'...' if len(shown) > 60 else ''}' looks like query text, not a "
            "catalogue id or a .rq file: give query text on standard input with '-' "
            "(ikg query - < my.rq), or save it as a .rq file"
        )
    suggestions = [name for name in known if reference in name or name in reference]
    hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
    raise QueryError(f"no query '{reference}' in the catalogue (see ikg query --list).{hint}")


# A query form with its opening brace or a projection: what pasted query text has and an id or
# a file name has not.
_SPARQL_FORM = re.compile(
    r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b.*(\{|\*|\?\w)", re.IGNORECASE | re.DOTALL
)


def _exists(path: Path) -> bool:
    """Whether ``path`` exists. A text that cannot be a path (a name longer than the file system
    allows, a NUL) names nothing, rather than raising the operating system's error."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def prepare(
    query: str,
    params: Mapping[str, str | int | float | bool] | None = None,
    *,
    allow_service: bool = False,
) -> str:
    """The text to run for a catalogue query by id (or a path to a .rq file), with its
    parameters bound safely and checked to be a read-only query (SERVICE refused unless
    ``allow_service``). Every engine, embedded or remote, runs what this returns."""
    from initiative_kg.engines import check_query

    values = {name: _param_text(value) for name, value in (params or {}).items()}
    template = resolve(query)
    # The query as written is checked (once per text: check_query remembers); binding then only
    # adds a VALUES row of typed terms, which cannot make a well-formed read-only query anything
    # else.
    check_query(template.text, allow_service=allow_service)
    return template.bind(values)


def _param_text(value: str | int | float | bool) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def parse_assignments(assignments: Iterable[str]) -> dict[str, str]:
    """``name=value`` strings (from --param) as a mapping."""
    values: dict[str, str] = {}
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--param expects name=value, not {assignment!r}")
        values[name.strip()] = value
    return values
