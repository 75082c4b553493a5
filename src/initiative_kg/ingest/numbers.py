"""Danish numbers, amounts, counts and dates as the agency's pages write them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

NUMBER_WORDS = {
    "en": 1, "et": 1, "én": 1, "ét": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6,
    "syv": 7, "otte": 8, "ni": 9, "ti": 10, "elleve": 11, "tolv": 12, "tretten": 13,
    "fjorten": 14, "femten": 15, "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19,
    "tyve": 20, "tredive": 30, "fyrre": 40, "halvtreds": 50, "hundrede": 100,
}  # fmt: skip
MONTHS = {
    "januar": 1, "februar": 2, "marts": 3, "april": 4, "maj": 5, "juni": 6, "juli": 7,
    "august": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
}  # fmt: skip
MILLION, BILLION = Decimal(1_000_000), Decimal(1_000_000_000)
SCALES = {"mio.": MILLION, "mio": MILLION, "millioner": MILLION, "million": MILLION,
          "mia.": BILLION, "milliarder": BILLION, "tusind": Decimal(1000)}  # fmt: skip
_WORDS = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
NUMBER = rf"(?:\d{{1,3}}(?:\.\d{{3}})+(?:,\d+)?|\d+(?:,\d+)?|(?:{_WORDS}))"
AMOUNT = re.compile(
    rf"(?<![\w.,])(?P<number>{NUMBER})\s*(?P<scale>mio\.|mio|millioner|million|mia\.|milliarder)?\s*kr\.?",
    re.IGNORECASE,
)
COUNT = re.compile(
    rf"(?P<upto>op mod |op til |cirka |ca\. |omkring )?(?P<low>{NUMBER})"
    rf"(?:\s*[-–]\s*(?P<high>{NUMBER}))?\s+"
    r"(?P<noun>kommuner|regioner|kommune|region)\b",
    re.IGNORECASE,
)


def parse_number(text: str) -> Decimal:
    """'9,6' -> 9.6; '11.136.245' -> 11136245; 'syv' -> 7."""
    cleaned = text.strip().lower()
    if cleaned in NUMBER_WORDS:
        return Decimal(NUMBER_WORDS[cleaned])
    cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(f"not a Danish number: {text!r}") from error


@dataclass(frozen=True)
class Amount:
    value: Decimal
    text: str
    start: int


def find_amounts(text: str) -> list[Amount]:
    """Every amount in kroner: '9,6 mio. kr.', '11.136.245 kr.', 'syv mio. kr.'."""
    found = []
    for match in AMOUNT.finditer(text):
        number = parse_number(match.group("number"))
        scale = SCALES.get((match.group("scale") or "").lower(), Decimal(1))
        found.append(Amount(number * scale, match.group(0).strip(), match.start()))
    return found


def parse_amount(text: str) -> Decimal:
    amounts = find_amounts(text)
    if not amounts:
        raise ValueError(f"no amount in kroner in {text!r}")
    return amounts[0].value


@dataclass(frozen=True)
class Count:
    noun: str
    exact: int | None
    low: int | None
    high: int | None
    text: str
    start: int


def find_counts(text: str) -> list[Count]:
    """'20 kommuner' (exact), 'op mod 20 kommuner' (at most 20), '5-7 kommuner' (5 to 7)."""
    counts = []
    for match in COUNT.finditer(text):
        low = int(parse_number(match.group("low")))
        high = int(parse_number(match.group("high"))) if match.group("high") else None
        upto = (match.group("upto") or "").strip().lower()
        noun = "municipality" if match.group("noun").lower().startswith("kommune") else "region"
        if high is not None:
            counts.append(Count(noun, None, low, high, match.group(0), match.start()))
        elif upto in {"op mod", "op til"}:
            counts.append(Count(noun, None, None, low, match.group(0), match.start()))
        else:
            counts.append(Count(noun, low, None, None, match.group(0), match.start()))
    return counts


_DATE_NUMERIC = re.compile(r"(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4})")
_DATE_SLASH_SPACE = re.compile(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})\s+(?P<y>\d{4})")
_DATE_WORDS = re.compile(r"(?P<d>\d{1,2})\.\s*(?P<month>[a-zæøå]+)\s+(?P<y>\d{4})", re.IGNORECASE)
_YEAR_RANGE = re.compile(r"(?<!\d)(?P<a>(?:19|20)\d{2})\s*[-–]\s*(?P<b>(?:19|20)\d{2})(?!\d)")
# a year may end a sentence ("… afsluttes ultimo december 2022."), but is not part of a number
_YEAR = re.compile(r"(?<![\d.])(?P<y>(?:19|20)\d{2})(?!\d|\.\d)")


def find_dates(text: str) -> list[date]:
    """Dates written '05/12 2016', '11-03-2021', '01.01.2020' or '1. juni 2016'."""
    found: list[tuple[int, date]] = []
    for pattern in (_DATE_SLASH_SPACE, _DATE_NUMERIC):
        for match in pattern.finditer(text):
            try:
                found.append(
                    (match.start(), date(int(match["y"]), int(match["m"]), int(match["d"])))
                )
            except ValueError:
                continue
    for match in _DATE_WORDS.finditer(text):
        month = MONTHS.get(match["month"].lower())
        if month:
            try:
                found.append((match.start(), date(int(match["y"]), month, int(match["d"]))))
            except ValueError:
                continue
    return [d for _, d in sorted(found)]


def parse_date(text: str) -> date:
    dates = find_dates(text)
    if not dates:
        raise ValueError(f"no date in {text!r}")
    return dates[0]


@dataclass(frozen=True)
class Period:
    start: date | int
    end: date | int


def parse_period(text: str) -> Period:
    """'2014 - 2017' -> years; '01.01.2020–30.09.2022' -> dates; '2016' -> one year."""
    dates = find_dates(text)
    if len(dates) >= 2:
        return Period(dates[0], dates[1])
    match = _YEAR_RANGE.search(text)
    if match:
        return Period(int(match["a"]), int(match["b"]))
    if len(dates) == 1:
        return Period(dates[0], dates[0])
    years = _YEAR.findall(text)
    if years:
        return Period(int(years[0]), int(years[-1]))
    raise ValueError(f"no period in {text!r}")
