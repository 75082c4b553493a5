"""What the project must know about a query's text before an engine runs it, and parameters
written into it as RDF terms.

A small lexer of SPARQL 1.1's terminals (strings, IRIs, comments, variables, prefixed names,
keywords; no parser) tells

- the query's form (SELECT, ASK, CONSTRUCT, DESCRIBE) or that the text is an update;
- whether it calls ``SERVICE`` (an outbound request, which Oxigraph would make);
- whether it names its own dataset (``FROM``/``FROM NAMED``), which the engines then honour
  instead of their default (the union of the loaded graphs);
- where to put a ``VALUES`` block that binds parameters.

It never guesses from text inside strings, IRIs or comments, which a regular expression over the
whole text would. Parsing and evaluation are left to the engine (Oxigraph parses far faster than
rdflib's pyparsing grammar, and is thread-safe where that grammar is not).

Parameter values become RDF terms first (``queries.Parameter.to_term``); ``values_block`` writes
terms with every character that could end or alter a string escaped, and checks the block by
reading it back with Oxigraph, so a value can only ever be the term it was meant to be.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from initiative_kg.errors import QueryError

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)

_HEX4 = r"[0-9A-Fa-f]{4}"
_HEX8 = r"[0-9A-Fa-f]{8}"
_TOKENS = re.compile(
    "|".join(
        f"(?P<{name}>{pattern})"
        for name, pattern in (
            ("space", r"\s+"),
            ("comment", r"#[^\n\r]*"),
            ("string", r"'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"),
            ("string2", r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'),
            ("string3", r"'(?:[^'\\\n\r]|\\.)*'"),
            ("string4", r'"(?:[^"\\\n\r]|\\.)*"'),
            ("iri", rf'<(?:[^<>"{{}}|^`\\\x00-\x20]|\\u{_HEX4}|\\U{_HEX8})*>'),
            ("var", r"[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+"),
            ("bnode", r"_:[\w.\-\u00B7\u0300-\u036F\u203F-\u2040]*"),
            ("pname", r"(?:[^\W\d_][\w.\-]*)?:(?:[\w.\-:%]|\\[_~.\-!$&'()*+,;=/?#@%])*"),
            ("number", r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"),
            ("word", r"[^\W\d][\w]*"),
            ("langtag", r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*"),
            ("punct", r"\^\^|&&|\|\||!=|<=|>=|."),
        )
    ),
    re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str  # space, comment, string, iri, var, bnode, pname, number, word, langtag, punct
    text: str
    start: int
    end: int

    @property
    def keyword(self) -> str | None:
        """The keyword, upper-cased, for a bare word (SELECT, FROM, a); else None."""
        return self.text.upper() if self.kind == "word" else None


def tokens(text: str) -> list[Token]:
    """The query's tokens, whitespace and comments left out."""
    found = []
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup or "punct"
        if kind in {"space", "comment"}:
            continue
        if kind.startswith("string"):
            kind = "string"
        found.append(Token(kind, match.group(), match.start(), match.end()))
    return found


@dataclass(frozen=True)
class QueryText:
    """One query's text and what its tokens say about it."""

    text: str

    @cached_property
    def tokens(self) -> list[Token]:
        return tokens(self.text)

    @cached_property
    def _keywords(self) -> list[tuple[int, str]]:
        return [(i, t.keyword) for i, t in enumerate(self.tokens) if t.keyword is not None]

    @cached_property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE; UPDATE for an update; "" if none is found."""
        for _, keyword in self._keywords:
            if keyword in QUERY_FORMS:
                return keyword
            if keyword in UPDATE_KEYWORDS:
                return "UPDATE"
        return ""

    @property
    def uses_service(self) -> bool:
        return any(keyword == "SERVICE" for _, keyword in self._keywords)

    @property
    def names_dataset(self) -> bool:
        """Whether the query chooses its own dataset with FROM or FROM NAMED (SPARQL allows
        them only in the main query's dataset clause)."""
        return any(keyword == "FROM" for _, keyword in self._keywords)

    def values_position(self) -> int:
        """Where a VALUES block binding the parameters goes: just inside the group that follows
        the first WHERE keyword, else (a query written without WHERE) the query's first group;
        for CONSTRUCT without WHERE, the group after the template."""
        depth_zero_groups: list[int] = []
        depth = 0
        tokens = self.tokens
        for index, token in enumerate(tokens):
            if token.keyword == "WHERE":
                following = tokens[index + 1] if index + 1 < len(tokens) else None
                if following is not None and following.text == "{":
                    if self.form == "CONSTRUCT" and depth_zero_groups == []:
                        raise QueryError(
                            "cannot bind parameters in the short form 'CONSTRUCT WHERE { … }': "
                            "write 'CONSTRUCT { template } WHERE { … }'"
                        )
                    return following.end
            if token.text == "{":
                if depth == 0:
                    depth_zero_groups.append(token.end)
                depth += 1
            elif token.text == "}":
                depth -= 1
        wanted = 1 if self.form == "CONSTRUCT" else 0
        if len(depth_zero_groups) > wanted:
            return depth_zero_groups[wanted]
        raise QueryError("cannot bind parameters: the query has no group pattern ('{ … }')")


def check_read_only(text: str, *, allow_service: bool = False) -> QueryText:
    """Refuse an update (this is a query engine) and SERVICE (an outbound request) unless
    allowed; return what the text says for the engine to use."""
    query = QueryText(text)
    if query.form == "UPDATE":
        raise QueryError(
            "this is a SPARQL Update; only queries (SELECT, ASK, CONSTRUCT, DESCRIBE) are run"
        )
    if query.uses_service and not allow_service:
        raise QueryError(
            "the query uses SERVICE, which would send a request to another server; "
            "the embedded engines refuse it unless --allow-service is given"
        )
    return query


# ---------------------------------------------------------------------- terms as SPARQL text

# Characters escaped in a string: the delimiters, the backslash, line breaks (not allowed raw in
# a short string) and the other control characters (written as code points).
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_XSD_STRING = str(XSD.string)


def string_literal(value: str) -> str:
    """A SPARQL string literal that reads back as exactly ``value``.

    Some parsers (rdflib's among them) expand ``\\uXXXX`` anywhere in the query text before they
    tokenise it, so a backslash in the value followed by ``u`` would turn back into a code
    point there. The ``u`` after an escaped backslash is therefore itself written as a code
    point (``\\U00000075``), which every reading turns into the letter again.
    """
    out = []
    previous_was_backslash = False
    for char in value:
        if previous_was_backslash and char in "uU":
            out.append(f"\\U{ord(char):08X}")
        elif char in _ECHAR:
            out.append(_ECHAR[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\U{ord(char):08X}")
        else:
            out.append(char)
        previous_was_backslash = char == "\\"
    return '"' + "".join(out) + '"'


def term_text(node: Node) -> str:
    """An IRI or literal as SPARQL text; anything that cannot be written safely is an error."""
    if isinstance(node, URIRef):
        if _IRI_FORBIDDEN.search(str(node)):
            raise QueryError(f"not an IRI that can be written in a query: {str(node)!r}")
        return f"<{node}>"
    if isinstance(node, Literal):
        text = string_literal(str(node))
        if node.language:
            if not _LANGUAGE.match(node.language):
                raise QueryError(f"not a language tag: {node.language!r}")
            return f"{text}@{node.language}"
        if node.datatype is not None and str(node.datatype) != _XSD_STRING:
            return f"{text}^^{term_text(URIRef(node.datatype))}"
        return text
    raise QueryError(f"a parameter must be an IRI or a literal, not {node!r}")


def values_block(terms: Mapping[str, Node]) -> str:
    """``VALUES (?a ?b) { (ta tb) }`` for the terms, checked by reading it back with Oxigraph:
    the block must give exactly the given terms, or the binding is refused."""
    variables = " ".join(f"?{_variable(name)}" for name in terms)
    row = " ".join(term_text(term) for term in terms.values())
    block = f"VALUES ({variables}) {{ ({row}) }}"
    _check_round_trip(block, terms)
    return block


def bind_values(text: str, terms: Mapping[str, Node]) -> str:
    """The query with a VALUES block for ``terms`` at ``QueryText.values_position``."""
    if not terms:
        return text
    position = QueryText(text).values_position()
    return f"{text[:position]}\n  {values_block(terms)}\n{text[position:]}"


_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _variable(name: str) -> str:
    if not _VARIABLE.match(name):
        raise QueryError(f"not a parameter name that can be a query variable: {name!r}")
    return name


def _check_round_trip(block: str, terms: Mapping[str, Node]) -> None:
    import pyoxigraph

    from initiative_kg.terms import normalise, to_rdflib

    try:
        solutions = pyoxigraph.Store().query(f"SELECT * WHERE {{ {block} }}")
        row = next(iter(solutions))  # type: ignore[arg-type]
        read = {name: normalise(to_rdflib(row[name])) for name in terms}
    except (SyntaxError, StopIteration, KeyError) as error:
        raise QueryError(f"a parameter could not be written into the query: {error}") from error
    expected = {name: normalise(term) for name, term in terms.items()}
    if read != expected:
        raise QueryError("a parameter did not read back as the value given; refused")
