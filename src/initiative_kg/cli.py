"""The ``ikg`` command line. Thin: parse arguments, call one module, map errors to exit codes.

Exit codes (as pySHACL documents them): 0 success / the graph conforms, 1 the graph does not
conform (or a check failed), 2 unusable input or usage, 130 interrupted.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from initiative_kg import __version__
from initiative_kg.errors import InitiativeKGError

if TYPE_CHECKING:
    from initiative_kg.queries import CatalogueQuery

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNUSABLE = 2

logger = logging.getLogger("initiative_kg")


class _ErrorMappingGroup(TyperGroup):
    """The one place where the project's exceptions become messages and exit codes."""

    def invoke(self, ctx: Any) -> Any:  # a typer (vendored click) Context
        try:
            return super().invoke(ctx)
        except InitiativeKGError as error:
            typer.echo(f"ikg: error: {error}", err=True)
            raise typer.Exit(EXIT_UNUSABLE) from error
        except KeyboardInterrupt:
            typer.echo("ikg: interrupted", err=True)
            raise typer.Exit(130) from None


app = typer.Typer(
    name="ikg",
    cls=_ErrorMappingGroup,
    help=(
        "initiative-kg: a knowledge graph of Danish social-policy initiatives, their actors, "
        "funding and intervention elements.\n\n"
        "Exit codes: 0 success (the graph conforms), 1 the graph does not conform, "
        "2 unusable input or usage."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ikg (initiative-kg) {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(
    verbose: Annotated[
        int,
        typer.Option("--verbose", "-v", count=True, help="More log output on stderr (-vv: debug)."),
    ] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    logging.basicConfig(level=level, format="ikg: %(levelname)s: %(message)s", stream=sys.stderr)


@contextmanager
def _status(message: str) -> Iterator[Any]:
    """A spinner on stderr while long work runs, only when a person is watching."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console

    with Console(stderr=True).status(message) as status:
        yield status


PersonalData = Annotated[
    bool, typer.Option(help="Include contact persons (names, phone numbers) printed on the pages.")
]
DataPaths = Annotated[
    list[Path] | None,
    typer.Option(
        help="Use these RDF files or folders (with the ontology and vocabularies) instead of the "
        "shipped graph. Repeat for several."
    ),
]


class ReportFormat(enum.StrEnum):
    text = "text"
    json = "json"
    junit = "junit"
    github = "github"


class FailOn(enum.StrEnum):
    violation = "violation"
    warning = "warning"
    info = "info"


class EngineName(enum.StrEnum):
    oxigraph = "oxigraph"
    rdflib = "rdflib"


class Language(enum.StrEnum):
    en = "en"
    da = "da"


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders of RDF (.ttl, .nt, .nq, .trig, .jsonld) to validate. "
            "Without any, the shipped graph is validated.",
            show_default=False,
        ),
    ] = None,
    report_format: Annotated[
        ReportFormat,
        typer.Option("--format", "-f", help="Report format. github prints workflow annotations."),
    ] = ReportFormat.text,
    fail_on: Annotated[
        FailOn,
        typer.Option(help="Lowest severity that makes the graph fail (exit code 1)."),
    ] = FailOn.violation,
    language: Annotated[
        Language, typer.Option("--lang", help="Language of the messages.")
    ] = Language.en,
    standalone: Annotated[
        bool,
        typer.Option(
            help="Validate the given files with only the ontology, vocabularies and reference "
            "data (municipalities, regions), not the rest of the shipped data."
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the report to this file (atomically) instead of stdout."
        ),
    ] = None,
    summary: Annotated[
        bool, typer.Option(help="With --format text: also print what the graph holds.")
    ] = True,
    engine: Annotated[
        EngineName,
        typer.Option(
            help="oxigraph runs each constraint as one query over the whole graph (fast); "
            "rdflib runs pySHACL, the reference, one resource at a time. Same report."
        ),
    ] = EngineName.oxigraph,
) -> None:
    """Check the graph against the SHACL shapes in ontology/shapes.

    Each result names its severity, the resource (with its label), the property path, the
    offending value, the message, and the file and line where the resource is defined.
    User files are checked together with the shipped data they may link to; a user file that
    declares the same graph as a shipped file replaces it.
    """
    from initiative_kg.fileio import write_atomically
    from initiative_kg.store import KnowledgeGraph
    from initiative_kg.validation import RENDERERS, Severity
    from initiative_kg.validation import validate as run_validation

    with _status("Loading the graph") as status:

        def show(path: Path) -> None:
            if status is not None:
                status.update(f"Loading {path.name}")

        kg = KnowledgeGraph.load(
            paths or None, background="reference" if standalone else "shipped", progress=show
        )
        triples = kg.triple_count()
        if status is not None:
            status.update(f"Validating {triples} triples")

        def advance(done: int, total: int) -> None:
            if status is not None:
                status.update(f"Validating {triples} triples: query {done} of {total}")

        report = run_validation(
            kg,
            fail_on=Severity(fail_on.value),
            language=language.value,
            engine=engine.value,
            progress=advance,
        )
    rendered = RENDERERS[report_format.value](report)
    if report_format is ReportFormat.text and summary:
        rendered += _render_summary(kg.summary())
    if output is not None:
        write_atomically(output, rendered)
        logger.info("wrote the report to %s", output)
    else:
        typer.echo(rendered, nl=False)
    raise typer.Exit(EXIT_OK if report.conforms else EXIT_FAILED)


class QueryFormat(enum.StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    xml = "xml"
    ttl = "ttl"
    nt = "nt"
    jsonld = "jsonld"


@app.command()
def query(
    reference: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID|FILE.rq|-]",
            help="A catalogue id (see --list), a path to a .rq file, or - for query text on stdin.",
            show_default=False,
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A parameter as name=value (repeat for several)."),
    ] = None,
    list_queries: Annotated[
        bool, typer.Option("--list", help="List the catalogue: ids, titles and parameters.")
    ] = False,
    describe: Annotated[
        bool, typer.Option("--describe", help="Print the query's header and text, then exit.")
    ] = False,
    output_format: Annotated[
        QueryFormat,
        typer.Option(
            "--format",
            "-f",
            help="SELECT: table, csv, tsv, json, xml (W3C result formats). "
            "CONSTRUCT/DESCRIBE: ttl, nt, jsonld. ASK prints true/false (exit 0/1).",
        ),
    ] = QueryFormat.table,
    data: DataPaths = None,
    engine: Annotated[
        EngineName,
        typer.Option(help="Embedded engine; both give identical results."),
    ] = EngineName.oxigraph,
    stated: Annotated[
        bool,
        typer.Option(help="Keep to what the source pages state: leave out analyst coding."),
    ] = False,
    allow_service: Annotated[
        bool, typer.Option(help="Allow SERVICE (requests to other servers); refused by default.")
    ] = False,
    personal_data: PersonalData = True,
    endpoint: Annotated[
        str | None,
        typer.Option(
            help="Ask this SPARQL endpoint (e.g. http://127.0.0.1:8890/sparql) instead of the "
            "embedded graph; see ikg push."
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the endpoint before giving up.")
    ] = 60.0,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the result to this file.")
    ] = None,
) -> None:
    """Ask the graph a question: a named query from the catalogue, your own .rq file, or stdin.

    Parameters are checked against the types in the query's header and bound as RDF terms,
    so a value can never change the query. Examples:

      ikg query --list
      ikg query funding-by-agreement
      ikg query initiatives-active-in-year --param year=2016 --format csv
      ikg query initiatives-for-target-group -p group=tg:relatives --stated
    """
    from initiative_kg import queries as catalogue_module
    from initiative_kg.engines import check_query, render
    from initiative_kg.fileio import write_atomically
    from initiative_kg.store import KnowledgeGraph

    if list_queries:
        typer.echo(_render_catalogue(catalogue_module.catalogue()), nl=False)
        raise typer.Exit(EXIT_OK)
    if reference is None:
        raise typer.BadParameter("give a query id, a .rq file or -, or use --list")
    stdin_text = sys.stdin.read() if reference == "-" else None
    chosen = catalogue_module.resolve(reference, stdin_text)
    if describe:
        typer.echo(chosen.text, nl=not chosen.text.endswith("\n"))
        raise typer.Exit(EXIT_OK)
    text = chosen.bind(catalogue_module.parse_assignments(param or []))
    check_query(text, allow_service=allow_service or endpoint is not None)
    if endpoint is not None:
        from initiative_kg.endpoint import RemoteEngine, SparqlClient

        with _status(f"Asking {endpoint}"):
            result = RemoteEngine(SparqlClient(endpoint, timeout=timeout)).execute(
                text, stated=stated
            )
    else:
        with _status("Loading the graph"):
            kg = KnowledgeGraph.load(data or None, background="none", personal_data=personal_data)
            result = kg.engine(engine.value).execute(text, stated=stated)
    rendered = render(result, output_format.value)
    if output is not None:
        write_atomically(output, rendered)
    else:
        typer.echo(rendered, nl=False)
    if result.kind == "ASK" and not result.boolean:
        raise typer.Exit(EXIT_FAILED)


class AuthScheme(enum.StrEnum):
    digest = "digest"
    basic = "basic"


@app.command()
def push(
    endpoint: Annotated[
        str, typer.Option(help="The server's SPARQL query endpoint, e.g. http://host:8890/sparql.")
    ],
    update_endpoint: Annotated[
        str | None,
        typer.Option(
            help="The SPARQL Update endpoint (Virtuoso: /sparql-auth). Default: --endpoint."
        ),
    ] = None,
    graph: Annotated[
        str | None,
        typer.Option(
            help="Put everything into this one graph instead of keeping the named graphs."
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            help="User name. The password comes from $IKG_PASSWORD or ~/.netrc, never "
            "from the command line."
        ),
    ] = None,
    auth: Annotated[
        AuthScheme, typer.Option(help="HTTP authentication scheme.")
    ] = AuthScheme.digest,
    data: DataPaths = None,
    personal_data: PersonalData = True,
    force: Annotated[bool, typer.Option(help="Push even if the graph does not validate.")] = False,
    batch_size: Annotated[
        int,
        typer.Option(
            min=1,
            help="Triples per upload request. A server that refuses a request as too large "
            "(Virtuoso 7.2 does above about 1,000) gets it in halves.",
        ),
    ] = 1000,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each request.")] = 60.0,
) -> None:
    """Load the graph into a SPARQL server (Virtuoso, Fuseki, GraphDB, Oxigraph server).

    Every named graph is uploaded into a staging graph in batches, the triple counts are
    checked on the server, and only then are the staging graphs moved onto the targets in one
    update; a failure on the way leaves the previous version complete. Connection errors and
    5xx answers are retried with backoff; a 4xx is reported with the server's message (exit 2).
    """
    from initiative_kg.endpoint import Credentials, SparqlClient
    from initiative_kg.endpoint import push as run_push
    from initiative_kg.store import KnowledgeGraph
    from initiative_kg.validation import validate as run_validation

    credentials = Credentials.lookup(user, update_endpoint or endpoint, auth.value)
    with _status("Loading and validating the graph"):
        kg = KnowledgeGraph.load(data or None, background="none", personal_data=personal_data)
        report = None if force else run_validation(kg)
    if report is not None and not report.conforms:
        counts = report.counts()
        typer.echo(
            f"ikg: the graph does not validate ({counts['violation']} violation(s)); "
            "see ikg validate, or push anyway with --force",
            err=True,
        )
        raise typer.Exit(EXIT_FAILED)
    client = SparqlClient(
        endpoint, update_endpoint=update_endpoint, credentials=credentials, timeout=timeout
    )
    with _progress("Uploading") as advance:
        summary = run_push(kg, client, graph=graph, batch_size=batch_size, progress=advance)
    typer.echo(
        f"pushed {summary.triples} triples in {summary.graphs} graph(s) "
        f"({summary.batches} batches) to {update_endpoint or endpoint}"
    )


@app.command()
def build(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The folder to write the release into.")
    ],
    data: DataPaths = None,
    personal_data: PersonalData = True,
    sparql_endpoint: Annotated[
        str | None, typer.Option(help="A public SPARQL endpoint to name in the VoID description.")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace the folder if it exists.")] = False,
) -> None:
    """Write release dumps: Turtle, N-Quads (named graphs kept), JSON-LD (with a context), a
    VoID/DCAT description (void.ttl) and SHA256SUMS.

    Refuses a graph that does not validate. The folder is built beside the target and renamed
    into place, so a failed build leaves no half-written folder.
    """
    from initiative_kg.release import build as run_build
    from initiative_kg.store import KnowledgeGraph
    from initiative_kg.validation import validate as run_validation

    with _status("Loading and validating the graph"):
        kg = KnowledgeGraph.load(data or None, background="none", personal_data=personal_data)
        report = run_validation(kg)
    if not report.conforms:
        typer.echo("ikg: the graph does not validate; see ikg validate", err=True)
        raise typer.Exit(EXIT_FAILED)
    with _status(f"Writing {output}"):
        result = run_build(kg, output, sparql_endpoint=sparql_endpoint, overwrite=overwrite)
    typer.echo(f"wrote {', '.join(result.files)} ({result.triples} triples) to {result.folder}")


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on (only this machine by default).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    engine: Annotated[
        EngineName, typer.Option(help="Embedded engine that answers.")
    ] = EngineName.oxigraph,
    timeout: Annotated[
        float, typer.Option(help="Seconds a query may run before it is refused (503).")
    ] = 30.0,
    max_rows: Annotated[
        int, typer.Option(help="Rows a result may have before it is refused (413).")
    ] = 10_000,
    data: DataPaths = None,
    personal_data: PersonalData = True,
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint (http://HOST:PORT/sparql) with a
    query page in the browser (http://HOST:PORT/), which works offline.

    GET and POST queries, results in the W3C formats by Accept header or format=; updates are
    refused with 403. Stop it with Ctrl-C.
    """
    from initiative_kg.serve import create_app
    from initiative_kg.serve import serve as run_server
    from initiative_kg.store import KnowledgeGraph

    with _status("Loading the graph"):
        kg = KnowledgeGraph.load(data or None, background="none", personal_data=personal_data)
        application = create_app(kg, engine=engine.value, timeout=timeout, max_rows=max_rows)
    typer.echo(
        f"SPARQL endpoint: http://{host}:{port}/sparql  query page: http://{host}:{port}/", err=True
    )
    run_server(application, host=host, port=port)


@app.command()
def site(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The folder to write the site into.")
    ],
    overwrite: Annotated[bool, typer.Option(help="Replace the folder if it exists.")] = False,
    personal_data: PersonalData = True,
) -> None:
    """Build a static report site: overview with validation status, a page per initiative,
    organisation and funding agreement, timeline, funding charts, the interactive network, the
    query catalogue with results, and the ontology's documentation. Works offline."""
    from initiative_kg.site import build_site
    from initiative_kg.store import KnowledgeGraph
    from initiative_kg.validation import validate as run_validation

    with _status("Building the site"):
        kg = KnowledgeGraph.load(personal_data=personal_data)
        report = run_validation(kg)
        result = build_site(kg, report, output, overwrite=overwrite)
    typer.echo(f"wrote {result.pages} files; open {result.folder / 'index.html'}")


@app.command()
def ingest(
    page: Annotated[Path, typer.Argument(help="The text of an agency initiative page (UTF-8).")],
    source_url: Annotated[
        str | None, typer.Option(help="The page's address, recorded as schema:url of the source.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the draft Turtle here (default: stdout)."),
    ] = None,
    check: Annotated[
        bool, typer.Option(help="Validate the draft with the shapes and print the result.")
    ] = False,
) -> None:
    """Read a page in the agency's layout and write a draft in the project's ontology.

    The draft is marked as machine-extracted (an ikg:DraftGraph with the PROV activity, tool
    version and time) and is for a person to review, complete and file. The fields it could
    not find are listed on stderr. With --check, exit 1 when the draft has violations.
    """
    from initiative_kg.ingest.page import ingest as run_ingest
    from initiative_kg.store import KnowledgeGraph

    if not page.is_file():
        raise InitiativeKGError(f"{page}: no such file")
    known = KnowledgeGraph.load()
    try:
        extraction, draft_graph = run_ingest(page, known=known.union(), source_url=source_url)
    except (ValueError, OSError) as error:
        raise InitiativeKGError(f"{page}: {error}") from error
    text = draft_graph.serialize(format="turtle")
    if output is not None:
        from initiative_kg.fileio import write_atomically

        write_atomically(output, text)
    else:
        typer.echo(text, nl=False)
    missing = extraction.missing()
    if missing:
        typer.echo(f"ikg ingest: left empty: {', '.join(missing)}", err=True)
    for note in extraction.notes:
        typer.echo(f"ikg ingest: {note}", err=True)
    if check:
        import tempfile

        from initiative_kg.validation import RENDERERS
        from initiative_kg.validation import validate as run_validation

        with tempfile.TemporaryDirectory() as folder:
            draft_file = Path(folder) / f"{page.stem}.draft.ttl"
            draft_file.write_text(text, encoding="utf-8")
            # The draft is checked beside the shipped data it may link to, less the curated file
            # of the same page (a page ingested again is no duplicate); only what the checks
            # say of the draft itself is reported.
            kg = KnowledgeGraph.load([draft_file, *beside_draft(known, extraction.source_id)],
                                     background="none")  # fmt: skip
            full = run_validation(kg)
            own = tuple(r for r in full.results if r.file and Path(r.file).name == draft_file.name)
            report = dataclasses.replace(full, results=own)
        typer.echo(RENDERERS["text"](report), err=True, nl=False)
        if not report.conforms:
            raise typer.Exit(EXIT_FAILED)


def beside_draft(known: Any, source_id: str) -> list[Path]:
    """The shipped data files to check a draft against (see ikg ingest --check)."""
    from rdflib import Literal
    from rdflib.namespace import DCTERMS, RDF

    from initiative_kg.namespaces import IKG

    skip = set()
    for source in known.files:
        for name in source.graphs:
            graph = known.dataset.graph(name)
            described = any(graph.subjects(DCTERMS.identifier, Literal(source_id)))
            if described and (name, RDF.type, IKG.StatedGraph) in graph:
                skip.add(source.path)
    return [
        source.path for source in known.files if source.part == "data" and source.path not in skip
    ]


@app.command()
def diff(
    first: Annotated[Path, typer.Argument(help="A file or folder of RDF (e.g. a draft).")],
    second: Annotated[Path, typer.Argument(help="Another (e.g. the curated file).")],
) -> None:
    """What differs between two graphs: removed (-) and added (+) statements, with labels,
    grouped by subject. Exit 0 when the graphs are isomorphic, 1 when they differ."""
    from initiative_kg.store import KnowledgeGraph
    from initiative_kg.store import diff as graph_diff

    before = KnowledgeGraph.load([first], background="none")
    after = KnowledgeGraph.load([second], background="none")
    changes = graph_diff(before, after)
    if not changes:
        typer.echo("the graphs are isomorphic")
        raise typer.Exit(EXIT_OK)
    for subject, lines in changes:
        typer.echo(subject)
        for line in lines:
            typer.echo(f"  {line}")
    raise typer.Exit(EXIT_FAILED)


network_app = typer.Typer(
    help="Network questions: who collaborates, who is central, which communities form.",
    no_args_is_help=True,
)
app.add_typer(network_app, name="network")


class Projection(enum.StrEnum):
    initiative_actor = "initiative-actor"
    actor_co_participation = "actor-co-participation"
    initiative_element = "initiative-element"
    initiative_target_group = "initiative-target-group"
    programme_hierarchy = "programme-hierarchy"
    full = "full"


class TableFormat(enum.StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


StatedOnly = Annotated[bool, typer.Option("--stated-only", help="Leave out analyst-coded links.")]


@network_app.command("metrics")
def network_metrics(
    projection: Annotated[
        Projection, typer.Option(help="Which projection of the graph.")
    ] = Projection.actor_co_participation,
    top: Annotated[int | None, typer.Option(min=1, help="Only the N most connected nodes.")] = None,
    output_format: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    stated_only: StatedOnly = False,
) -> None:
    """Degree, weighted degree, betweenness, PageRank, component and community of each node,
    most connected first."""
    from dataclasses import asdict

    from initiative_kg.network import metrics, project
    from initiative_kg.store import KnowledgeGraph

    kg = KnowledgeGraph.load()
    rows = metrics(project(kg, projection.value, stated=stated_only))[:top]
    records = [asdict(row) for row in rows]
    typer.echo(_render_records(records, output_format.value), nl=False)


@network_app.command("path")
def network_path(
    start: Annotated[str, typer.Argument(help="An organisation: prefixed name, IRI or label.")],
    end: Annotated[str, typer.Argument(help="Another organisation.")],
    stated_only: StatedOnly = False,
) -> None:
    """The shortest chain of shared initiatives between two organisations (exit 1 if none)."""
    from initiative_kg.network import shortest_path
    from initiative_kg.store import KnowledgeGraph

    steps = shortest_path(KnowledgeGraph.load(), start, end, stated=stated_only)
    if not steps:
        typer.echo(f"no path between {start} and {end}")
        raise typer.Exit(EXIT_FAILED)
    for step in steps:
        typer.echo(f"{step.actor_label} ({step.actor})")
        if step.initiative is not None:
            typer.echo(f"  via {step.initiative_label} ({step.initiative})")


@network_app.command("communities")
def network_communities(
    projection: Annotated[
        Projection, typer.Option(help="Which projection of the graph.")
    ] = Projection.actor_co_participation,
    stated_only: StatedOnly = False,
) -> None:
    """Communities (Louvain, fixed seed) with their members, largest first."""
    from initiative_kg.network import metrics, project
    from initiative_kg.store import KnowledgeGraph

    rows = metrics(project(KnowledgeGraph.load(), projection.value, stated=stated_only))
    for community in sorted({row.community for row in rows}):
        members = sorted(row.label for row in rows if row.community == community)
        typer.echo(f"community {community} ({len(members)}): " + "; ".join(members))


@app.command("export")
def export_network(
    projection: Annotated[Projection, typer.Option(help="Which projection of the graph.")],
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="graphml, gexf (Gephi), cyjs (Cytoscape.js), dot (Graphviz), json (node-link), "
            "html (interactive, offline), svg or png (a picture, drawn by Graphviz).",
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.")],
    stated_only: StatedOnly = False,
    personal_data: PersonalData = True,
) -> None:
    """Export a network projection for Gephi, Cytoscape, Graphviz or the browser."""
    from initiative_kg.export import export
    from initiative_kg.network import project
    from initiative_kg.store import KnowledgeGraph

    kg = KnowledgeGraph.load(personal_data=personal_data)
    graph = project(kg, projection.value, stated=stated_only)
    export(graph, output_format, output)
    typer.echo(f"wrote {output} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")


def _render_records(records: list[dict[str, Any]], output_format: str) -> str:
    if output_format == "json":
        import json

        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if not records:
        return ""
    columns = list(records[0])
    if output_format == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        return buffer.getvalue()
    cells = [[str(r[c]) for c in columns] for r in records]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines) + "\n"


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr when a person is watching; log lines otherwise."""
    if not sys.stderr.isatty():

        def log(done: int, total: int) -> None:
            logger.info("%s: %d of %d triples", label, done, total)

        yield log
        return
    from rich.progress import Progress

    with Progress(transient=True, console=None) as progress:
        task = progress.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


def _render_catalogue(queries: Mapping[str, CatalogueQuery]) -> str:
    lines = []
    for query_id, entry in queries.items():
        params = ", ".join(
            f"{p.name}: {p.type}" + (f" = {p.default}" if p.default is not None else "")
            for p in entry.params
        )
        lines.append(
            f"{query_id}\n    {entry.title}" + (f"\n    params: {params}" if params else "")
        )
    return "\n".join(lines) + "\n"


def _render_summary(counts: dict[str, int]) -> str:
    width = max(len(name) for name in counts)
    lines = ["", "The graph holds:"]
    lines += [f"  {name.ljust(width)}  {count:>7}" for name, count in counts.items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Console-script entry point."""
    app(prog_name="ikg")


if __name__ == "__main__":
    main()
