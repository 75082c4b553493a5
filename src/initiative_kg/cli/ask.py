"""``ikg query``, ``ikg push`` and ``ikg serve``: ask the graph, put it in a SPARQL server,
serve it as an endpoint."""

from __future__ import annotations

import enum
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from initiative_kg.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    AllowRemoteContext,
    DataPaths,
    EngineName,
    Overwrite,
    PersonalData,
    Quiet,
    Stated,
    Verbose,
    at_least_one,
    check_output,
    load_graph,
    output_option,
    positive_seconds,
    progress,
    status,
    step,
    terminal_width,
)

if TYPE_CHECKING:
    from initiative_kg.queries import CatalogueQuery


class QueryFormat(enum.StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    xml = "xml"
    ttl = "ttl"
    nt = "nt"
    jsonld = "jsonld"


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
        typer.Option(
            "--param",
            "-p",
            metavar="NAME=VALUE",
            show_default=False,
            help="A parameter of the query, checked against its declared type. Repeat for several.",
        ),
    ] = None,
    list_queries: Annotated[
        bool,
        typer.Option(
            "--list",
            help="List the catalogue: each query's title, parameters, columns and an example call.",
        ),
    ] = False,
    describe: Annotated[
        bool, typer.Option("--describe", help="Print the query's header and text, then exit.")
    ] = False,
    output_format: Annotated[
        QueryFormat,
        typer.Option(
            "--format",
            "-f",
            help="SELECT: table, csv, tsv, json, xml (the W3C result formats). "
            "CONSTRUCT/DESCRIBE: ttl, nt, jsonld. ASK prints true/false (exit 0/1).",
        ),
    ] = QueryFormat.table,
    data: DataPaths = None,
    engine: Annotated[
        EngineName,
        typer.Option(help="The embedded engine; both give identical results."),
    ] = EngineName.oxigraph,
    stated: Stated = False,
    allow_service: Annotated[
        bool,
        typer.Option(
            "--allow-service",
            help="Allow SERVICE (a request to another server); refused by default.",
        ),
    ] = False,
    personal_data: PersonalData = True,
    endpoint: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            show_default=False,
            help="Ask this SPARQL endpoint (e.g. http://127.0.0.1:8890/sparql) instead of the "
            "embedded graph; see ikg push.",
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            metavar="SECONDS",
            callback=positive_seconds,
            help="How long the query may run (embedded engines) or the endpoint may take "
            "(--endpoint) before the command gives up (exit 2).",
        ),
    ] = 60.0,
    output: Annotated[Path | None, output_option("the result")] = None,
    overwrite: Overwrite = False,
    allow_remote_context: AllowRemoteContext = False,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """Ask the graph a question: a named query from the catalogue, your own .rq file, or stdin.

    Parameters are checked against the types in the query's header and bound as RDF terms,
    so a value can never change the query. Examples:

    \b
      ikg query --list
      ikg query funding-by-agreement
      ikg query initiatives-active-in-year --param year=2016 --format csv
      ikg query initiatives-for-target-group -p group=tg:relatives --stated
      ikg query my-question.rq --data my-data/
    """
    from initiative_kg import queries as catalogue_module
    from initiative_kg.engines import check_query, execute_within, render
    from initiative_kg.fileio import write_atomically

    check_output(output, overwrite=overwrite)
    if list_queries:
        typer.echo(render_catalogue(catalogue_module.catalogue()), nl=False)
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
        from initiative_kg.endpoint import RemoteEngine

        with status(f"Asking {endpoint}"), step(f"asking {endpoint}"):
            result = RemoteEngine.at(endpoint, timeout=timeout).execute(text, stated=stated)
    else:
        with status("Loading the graph"):
            kg = load_graph(
                data, personal_data=personal_data, allow_remote_contexts=allow_remote_context
            )
        with status("Running the query"), step(f"running {chosen.id} on {engine.value}"):
            result = execute_within(
                kg.engine(engine.value),
                text,
                timeout=timeout,
                stated=stated,
                allow_service=allow_service,
            )
    width = terminal_width() if output is None else None
    rendered = render(result, output_format.value, width=width)
    if output is not None:
        write_atomically(output, rendered)
    else:
        typer.echo(rendered, nl=False)
    if result.kind == "ASK" and not result.boolean:
        raise typer.Exit(EXIT_FAILED)


def render_catalogue(queries: Mapping[str, CatalogueQuery]) -> str:
    """Each catalogue query with its title, parameters, columns and a call that works."""
    lines = []
    for query_id, entry in queries.items():
        params = ", ".join(
            f"{p.name}: {p.type}" + (f" = {p.default}" if p.default is not None else "")
            for p in entry.params
        )
        example = " ".join(
            f"-p {p.name}={p.example or p.default or p.type.upper()}"
            for p in entry.params
            if p.required or p.example is not None
        )
        lines.append(f"{query_id}\n    {entry.title}")
        if params:
            lines.append(f"    params: {params}")
        lines.append(f"    columns: {', '.join(entry.columns)}")
        lines.append(f"    example: ikg query {query_id}" + (f" {example}" if example else ""))
    return "\n".join(lines) + "\n"


class AuthScheme(enum.StrEnum):
    digest = "digest"
    basic = "basic"


def push(
    endpoint: Annotated[
        str,
        typer.Option(
            metavar="URL",
            show_default=False,
            help="The server's SPARQL query endpoint, e.g. http://127.0.0.1:8890/sparql.",
        ),
    ],
    update_endpoint: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            show_default=False,
            help="The SPARQL Update endpoint (Virtuoso: /sparql-auth). Default: --endpoint.",
        ),
    ] = None,
    graph: Annotated[
        str | None,
        typer.Option(
            metavar="IRI",
            show_default=False,
            help="Put everything into this one graph instead of keeping the named graphs.",
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            show_default=False,
            help="User name. The password comes from $IKG_PASSWORD or ~/.netrc, never "
            "from the command line.",
        ),
    ] = None,
    auth: Annotated[
        AuthScheme, typer.Option(help="HTTP authentication scheme.")
    ] = AuthScheme.digest,
    data: DataPaths = None,
    personal_data: PersonalData = True,
    force: Annotated[
        bool, typer.Option("--force", help="Push even if the graph does not validate.")
    ] = False,
    batch_size: Annotated[
        int,
        typer.Option(
            metavar="N",
            callback=at_least_one,
            help="Triples per upload request. A server that refuses a request as too large "
            "(Virtuoso 7.2 does above about 1,000) gets it in halves.",
        ),
    ] = 1000,
    timeout: Annotated[
        float, typer.Option(metavar="SECONDS", help="How long to wait for each request.")
    ] = 60.0,
    allow_remote_context: AllowRemoteContext = False,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """Load the graph into a SPARQL server (Virtuoso, Fuseki, GraphDB, Oxigraph server).

    Every named graph is uploaded into a staging graph in batches, the triple counts are
    checked on the server, and only then are the staging graphs moved onto the targets in one
    update; a failure on the way leaves the previous version complete. Connection errors and
    5xx answers are retried with backoff; a 4xx is reported with the server's message (exit 2).
    """
    from initiative_kg.endpoint import Credentials, SparqlClient, graph_name
    from initiative_kg.endpoint import push as run_push
    from initiative_kg.validation import validate as run_validation

    if graph is not None:
        graph = graph_name(graph)  # before anything is loaded, let alone sent
    credentials = Credentials.lookup(user, update_endpoint or endpoint, auth.value)
    with status("Loading and validating the graph"):
        kg = load_graph(
            data, personal_data=personal_data, allow_remote_contexts=allow_remote_context
        )
        with step("validating"):
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
    with progress("Uploading") as advance, step("uploading"):
        summary = run_push(kg, client, graph=graph, batch_size=batch_size, progress=advance)
    typer.echo(
        f"pushed {summary.triples} triples in {summary.graphs} graph(s) "
        f"({summary.batches} batches) to {update_endpoint or endpoint}"
    )


def serve(
    host: Annotated[
        str,
        typer.Option(
            metavar="ADDRESS", help="The address to listen on (only this machine by default)."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="N", help="The port to listen on.")] = 8000,
    engine: Annotated[
        EngineName, typer.Option(help="The embedded engine that answers.")
    ] = EngineName.oxigraph,
    timeout: Annotated[
        float,
        typer.Option(
            metavar="SECONDS", help="How long a query may run before it is refused (503)."
        ),
    ] = 30.0,
    max_rows: Annotated[
        int,
        typer.Option(
            callback=at_least_one,
            metavar="N",
            help="How many rows a result may have before it is refused (413).",
        ),
    ] = 10_000,
    workers: Annotated[
        int | None,
        typer.Option(
            callback=at_least_one,
            metavar="N",
            show_default=False,
            help="How many queries are answered side by side (default 4), each in a process of "
            "its own that holds a copy of the graph (memory grows with it).",
        ),
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            metavar="NAME",
            show_default=False,
            help="Another host name the server answers to (the Host header); repeat for "
            "several. By default only its own address and localhost.",
        ),
    ] = None,
    data: DataPaths = None,
    personal_data: PersonalData = True,
    allow_remote_context: AllowRemoteContext = False,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint with a query page.

    The endpoint is http://HOST:PORT/sparql, the query page (which works offline)
    http://HOST:PORT/. GET and POST queries, results in the W3C formats by Accept header or
    format=; updates are refused with 403, SERVICE with 400. A query past --timeout is stopped
    (its process ends) and gets 503. Stop it with Ctrl-C.
    """
    from initiative_kg.query_pool import DEFAULT_WORKERS
    from initiative_kg.serve import create_app
    from initiative_kg.serve import serve as run_server

    with status("Loading the graph"):
        kg = load_graph(
            data, personal_data=personal_data, allow_remote_contexts=allow_remote_context
        )
        application = create_app(
            kg,
            engine=engine.value,
            timeout=timeout,
            max_rows=max_rows,
            workers=workers or DEFAULT_WORKERS,
            host=host,
            allowed_hosts=allowed_host or (),
        )
    typer.echo(
        f"SPARQL endpoint: http://{host}:{port}/sparql  query page: http://{host}:{port}/", err=True
    )
    run_server(application, host=host, port=port)
