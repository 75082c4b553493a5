"""The one exception hierarchy of initiative-kg. The CLI maps these to exit codes."""

from __future__ import annotations

from pathlib import Path


class InitiativeKGError(Exception):
    """Base class: something the user can act on, with a message that says what and where."""


class LoadError(InitiativeKGError):
    """A file could not be read or parsed. Carries the file and, where known, line and column."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.reason = message
        super().__init__(self._render())

    def _render(self) -> str:
        if self.path is None:
            return self.reason
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.reason}"


class ValidationError(InitiativeKGError):
    """Validation could not be carried out (not: the data did not conform)."""


class QueryError(InitiativeKGError):
    """A query is unknown, malformed, or was given bad parameters."""


class EndpointError(InitiativeKGError):
    """A remote SPARQL endpoint could not be reached or refused a request."""
