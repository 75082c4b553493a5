"""Queries that can be stopped: worker processes, each with its own copy of the store.

Neither engine can be interrupted once a query runs (Oxigraph evaluates in native code, rdflib's
engine in one long Python call), and a thread cannot be killed. So ``ikg serve`` runs each query
in a worker process and ends the process when the query runs past its time limit; a new worker
takes its place. The process pool of the standard library cannot do this (ending one worker
breaks the whole pool), hence this small one.

Each worker is a fresh interpreter ("spawn": nothing half-locked is inherited from a server
that runs threads) that loads the graph from an N-Quads dump the server writes once into a
private temporary folder (every literal as its file wrote it). It answers one query at a time:
runs it with the row limit (stopping at limit + 1), writes the result in the format the client
asked for, and sends back the bytes.
The price is memory: every worker holds the whole graph.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from initiative_kg.store import KnowledgeGraph

logger = logging.getLogger(__name__)

DEFAULT_WORKERS = 4
_READY = "ready"
_START_TIMEOUT = 600.0  # loading a large graph into a new worker takes a while


@dataclass(frozen=True)
class Answer:
    """What a worker sends back: an HTTP status, a media type and the body."""

    status: int
    media_type: str
    body: bytes


class QueryTimedOut(Exception):
    """The query ran past its limit; its worker was ended."""


# ---------------------------------------------------------------------- the worker side


def _serve_queries(dump: str, engine: str, max_rows: int, connection: Connection) -> None:
    """A worker's life: load the store, say so, then answer queries until the pipe closes."""
    from initiative_kg.engines import ResultTooLarge, protocol_answer
    from initiative_kg.errors import InitiativeKGError
    from initiative_kg.store import KnowledgeGraph

    # Loaded as any file is, so that literals the store would rewrite are recorded as written
    # and the engine is chosen as in the server (see KnowledgeGraph.exact).
    kg = KnowledgeGraph.load([Path(dump)], background="bare")
    runner = kg.engine(engine)
    runner.execute("ASK { ?s ?p ?o }")  # imports and views now, not in the first query's time
    connection.send(_READY)
    while True:
        try:
            text, requested, accept = connection.recv()
        except (EOFError, OSError):
            return
        try:
            result = runner.execute(text, max_rows=max_rows)
            media_type, body = protocol_answer(result, requested, accept)
            reply = Answer(200, media_type, body)
        except ResultTooLarge as error:
            reply = Answer(413, "text/plain", (str(error) + "\n").encode())
        except InitiativeKGError as error:
            reply = Answer(400, "text/plain", (str(error) + "\n").encode())
        except Exception as error:  # one bad query must not end the worker
            logger.exception("the query failed in a worker")
            reply = Answer(500, "text/plain", f"the query failed: {error}\n".encode())
        connection.send(reply)


# ---------------------------------------------------------------------- the server side


@dataclass(eq=False)  # compared by identity: each worker is one process
class _Worker:
    process: BaseProcess
    connection: Connection

    def end(self) -> None:
        """Stop the worker at once (SIGKILL: a query in native code heeds nothing gentler)."""
        self.process.kill()
        self.process.join(timeout=10)
        # The pipe is closed by the thread that waits on it, or when it is collected: closing
        # it here while a thread blocks in recv() could hand its descriptor to a new pipe.


class QueryPool:
    """``workers`` processes answering queries; ``run`` gives each query a free one (in the
    order they come) and ends it if the query runs longer than its limit."""

    def __init__(
        self,
        kg: KnowledgeGraph,
        *,
        engine: str = "oxigraph",
        workers: int = DEFAULT_WORKERS,
        max_rows: int = 10_000,
    ) -> None:
        if workers < 1:
            raise ValueError("a pool needs at least one worker")
        import pyoxigraph

        from initiative_kg.terms import to_oxigraph

        self.engine = engine
        self.size = workers
        self.max_rows = max_rows
        self._folder = Path(tempfile.mkdtemp(prefix="ikg-serve-"))
        self._dump = self._folder / "store.nq"
        if kg.exact:
            kg.store.dump(output=str(self._dump), format=pyoxigraph.RdfFormat.N_QUADS)
        else:  # every literal as the files wrote it, not as the store holds it
            quads = (
                pyoxigraph.Quad(
                    to_oxigraph(s),  # type: ignore[arg-type]
                    to_oxigraph(p),  # type: ignore[arg-type]
                    to_oxigraph(o),
                    pyoxigraph.NamedNode(graph),
                )
                for s, p, o, graph in kg.quads()
            )
            pyoxigraph.serialize(quads, output=str(self._dump), format=pyoxigraph.RdfFormat.N_QUADS)
        self._context = multiprocessing.get_context("spawn")
        # One thread per worker waits on its pipe, so the event loop never blocks on one.
        self._waiting = ThreadPoolExecutor(max_workers=workers * 2, thread_name_prefix="ikg-pool")
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False

    async def start(self) -> None:
        """Start every worker and wait until each has loaded the store."""
        self._idle = asyncio.Queue()
        await asyncio.gather(*(self._add_worker() for _ in range(self.size)))

    async def _add_worker(self) -> None:
        reader, writer = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_serve_queries,
            args=(str(self._dump), self.engine, self.max_rows, writer),
            name="ikg-query-worker",
            daemon=True,
        )
        process.start()
        writer.close()
        worker = _Worker(process, reader)
        with self._lock:
            self._all.add(worker)
        loop = asyncio.get_running_loop()
        try:
            ready = await asyncio.wait_for(
                loop.run_in_executor(self._waiting, reader.recv), _START_TIMEOUT
            )
        except (TimeoutError, EOFError, OSError) as error:
            self._forget(worker)
            raise RuntimeError(f"a query worker did not start: {error!r}") from error
        if ready != _READY or self._closed:
            self._forget(worker)
            return
        assert self._idle is not None
        self._idle.put_nowait(worker)

    def _forget(self, worker: _Worker) -> None:
        worker.end()
        with self._lock:
            self._all.discard(worker)

    def _replace(self, worker: _Worker) -> None:
        self._forget(worker)
        if not self._closed:
            task = asyncio.get_running_loop().create_task(self._add_worker())
            task.add_done_callback(_log_failure)

    async def run(self, text: str, requested: str | None, accept: str, timeout: float) -> Answer:
        """The answer to one query, or QueryTimedOut when it has run ``timeout`` seconds. The
        limit counts from when a worker takes the query: a query that waits for a free worker
        (all busy) uses no CPU while it waits, and is answered in its turn."""
        assert self._idle is not None, "start() the pool first"
        loop = asyncio.get_running_loop()
        worker = await self._idle.get()
        try:
            worker.connection.send((text, requested, accept))
            reply = await asyncio.wait_for(
                loop.run_in_executor(self._waiting, worker.connection.recv), timeout
            )
        except TimeoutError as error:
            self._replace(worker)  # ends the process, and with it the query
            raise QueryTimedOut from error
        except (EOFError, OSError) as error:  # the worker died (out of memory, killed)
            self._replace(worker)
            return Answer(500, "text/plain", f"the query's worker ended: {error!r}\n".encode())
        except BaseException:  # the request was cancelled (client gone, server stopping)
            self._replace(worker)
            raise
        self._idle.put_nowait(worker)
        assert isinstance(reply, Answer)
        return reply

    def worker_pids(self) -> list[int]:
        with self._lock:
            return sorted(w.process.pid for w in self._all if w.process.pid is not None)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.end()
        self._waiting.shutdown(wait=False, cancel_futures=True)
        shutil.rmtree(self._folder, ignore_errors=True)


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("could not start a query worker: %s", task.exception())
