"""The lexical spaces of the XML Schema datatypes the project checks itself (XML Schema 1.1
Part 2): the compiled validation engine tests ``sh:datatype`` with them, and loading uses them to
tell a literal Oxigraph cannot compute with (a decimal beyond its range) from an ill-typed one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from rdflib import URIRef
from rdflib.namespace import XSD

# Each datatype's lexical space as a regular expression over the lexical form (in the syntax that
# both Python and SPARQL's REGEX read), the cast that must also accept it (it checks what a regular
# expression cannot: February 30th, a month 13), and the range of the bounded integer types.
_INTEGER = r"[+-]?[0-9]+"
_DECIMAL = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
_FLOAT = r"([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)"
_TZ = r"(Z|[+-][0-9]{2}:[0-9]{2})?"
_YEAR = r"-?([1-9][0-9]{3,}|0[0-9]{3})"
_TIME = r"[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
# XML Schema's duration without look-ahead (SPARQL regular expressions have none): at least one
# field, and a T only before a time field.
_SECONDS = r"[0-9]+(\.[0-9]+)?S"
_DURATION_TIME = f"T([0-9]+H([0-9]+M)?({_SECONDS})?|[0-9]+M({_SECONDS})?|{_SECONDS})"
_DURATION_DATE = r"([0-9]+Y([0-9]+M)?([0-9]+D)?|[0-9]+M([0-9]+D)?|[0-9]+D)"
_DURATION = f"-?P({_DURATION_DATE}({_DURATION_TIME})?|{_DURATION_TIME})"


_NON_NEGATIVE = r"(\+?[0-9]+|-0+)"
_POSITIVE = r"\+?0*[1-9][0-9]*"
_NON_POSITIVE = r"(-[0-9]+|\+?0+)"
_NEGATIVE = r"-0*[1-9][0-9]*"
_INTEGER_FORMS = frozenset({_INTEGER, _NON_NEGATIVE, _POSITIVE, _NON_POSITIVE, _NEGATIVE})


@dataclass(frozen=True)
class LexicalSpace:
    pattern: str
    cast: URIRef | None  # a cast function of the same name that must accept the form
    minimum: int | None = None
    maximum: int | None = None


LEXICAL_SPACES: dict[URIRef, LexicalSpace] = {
    XSD.boolean: LexicalSpace("(true|false|1|0)", XSD.boolean),
    XSD.decimal: LexicalSpace(_DECIMAL, XSD.decimal),
    XSD.integer: LexicalSpace(_INTEGER, None),
    XSD.long: LexicalSpace(_INTEGER, None, -(2**63), 2**63 - 1),
    XSD.int: LexicalSpace(_INTEGER, None, -(2**31), 2**31 - 1),
    XSD.short: LexicalSpace(_INTEGER, None, -(2**15), 2**15 - 1),
    XSD.byte: LexicalSpace(_INTEGER, None, -(2**7), 2**7 - 1),
    XSD.unsignedLong: LexicalSpace(_INTEGER, None, 0, 2**64 - 1),
    XSD.unsignedInt: LexicalSpace(_INTEGER, None, 0, 2**32 - 1),
    XSD.unsignedShort: LexicalSpace(_INTEGER, None, 0, 2**16 - 1),
    XSD.unsignedByte: LexicalSpace(_INTEGER, None, 0, 2**8 - 1),
    # The one-sided integer types: the sign is read from the form (a range check would need a cast
    # that overflows on long numbers).
    XSD.nonNegativeInteger: LexicalSpace(_NON_NEGATIVE, None),
    XSD.positiveInteger: LexicalSpace(_POSITIVE, None),
    XSD.nonPositiveInteger: LexicalSpace(_NON_POSITIVE, None),
    XSD.negativeInteger: LexicalSpace(_NEGATIVE, None),
    XSD.double: LexicalSpace(_FLOAT, XSD.double),
    XSD.float: LexicalSpace(_FLOAT, XSD.float),
    XSD.dateTime: LexicalSpace(f"{_YEAR}-[0-9]{{2}}-[0-9]{{2}}T{_TIME}{_TZ}", XSD.dateTime),
    XSD.date: LexicalSpace(f"{_YEAR}-[0-9]{{2}}-[0-9]{{2}}{_TZ}", XSD.date),
    XSD.time: LexicalSpace(f"{_TIME}{_TZ}", XSD.time),
    XSD.gYear: LexicalSpace(f"{_YEAR}{_TZ}", XSD.gYear),
    XSD.gYearMonth: LexicalSpace(f"{_YEAR}-[0-9]{{2}}{_TZ}", XSD.gYearMonth),
    XSD.gMonth: LexicalSpace(f"--[0-9]{{2}}{_TZ}", XSD.gMonth),
    XSD.gDay: LexicalSpace(f"---[0-9]{{2}}{_TZ}", XSD.gDay),
    XSD.gMonthDay: LexicalSpace(f"--[0-9]{{2}}-[0-9]{{2}}{_TZ}", XSD.gMonthDay),
    XSD.duration: LexicalSpace(_DURATION, XSD.duration),
}

NUMERIC = frozenset(
    {XSD.decimal, XSD.float, XSD.double}
    | {datatype for datatype, space in LEXICAL_SPACES.items() if space.pattern in _INTEGER_FORMS}
)


def well_formed(lexical: str, datatype: URIRef) -> bool | None:
    """Whether a lexical form lies in the datatype's lexical space (the regular expression and,
    for the bounded integer types, the range); None for a datatype not in LEXICAL_SPACES. The
    casts are Oxigraph's and are not applied here."""
    space = LEXICAL_SPACES.get(datatype)
    if space is None:
        return None
    if re.fullmatch(space.pattern, lexical) is None:
        return False
    if space.minimum is not None or space.maximum is not None:
        value = Decimal(lexical)
        if space.minimum is not None and value < space.minimum:
            return False
        if space.maximum is not None and value > space.maximum:
            return False
    return True
