"""A guard that keeps Python code from reaching the network while it runs.

rdflib fetches from the network in several places a user does not expect (a JSON-LD ``@context``
given as a URL, ``FROM <http://…>`` in a query on its SPARQL engine, ``SERVICE``). The project
closes each of those where it happens; this guard is the second line: inside ``offline(...)``
any attempt of Python code in the same thread or task to open a network connection or resolve
a host name raises ``OutboundRequestRefused``, whichever library makes it. It works through
Python's audit hooks (PEP 578), which see every socket and urllib request.

Native code that does its own networking (Oxigraph's SERVICE client) is not seen by audit hooks;
the engines refuse SERVICE before Oxigraph runs a query (see ``sparql_text``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from initiative_kg.errors import InitiativeKGError

# The audit events that precede any outbound connection made from Python.
_NETWORK_EVENTS = frozenset(
    {
        "socket.connect",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyaddr",
        "socket.sendto",
        "socket.sendmsg",
        "urllib.Request",
    }
)

_guarded: ContextVar[str | None] = ContextVar("initiative_kg_offline", default=None)
_installed = False


class OutboundRequestRefused(InitiativeKGError):
    """Code tried to reach the network where the project promises it does not."""


def _audit(event: str, arguments: tuple[Any, ...]) -> None:
    if event not in _NETWORK_EVENTS:
        return
    what = _guarded.get()
    if what is None:
        return
    target = arguments[0] if event == "urllib.Request" else arguments[1:2]
    raise OutboundRequestRefused(
        f"{what} tried to reach the network ({event} {target!r}); refused: nothing leaves the "
        "machine unless you ask for it"
    )


@contextmanager
def offline(what: str) -> Iterator[None]:
    """Refuse every outbound request made from Python in this context; ``what`` says what was
    running (it goes into the error)."""
    global _installed
    if not _installed:
        sys.addaudithook(_audit)  # a hook cannot be removed; outside offline() it does nothing
        _installed = True
    token = _guarded.set(what)
    try:
        yield
    finally:
        _guarded.reset(token)
