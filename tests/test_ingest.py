"""ikg ingest and ikg diff: the Danish parsers, drafts of the five seed pages measured against
the curated data, pages in other layouts, and malformed input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from initiative_kg.cli import app
from initiative_kg.ingest.accuracy import recorded, render, score
from initiative_kg.ingest.numbers import (
    find_counts,
    parse_amount,
    parse_date,
    parse_number,
    parse_period,
)
from initiative_kg.ingest.page import extract, ingest, sections
from initiative_kg.store import KnowledgeGraph
from tests.conftest import REPO, SHARED

runner = CliRunner()
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Der er i alt afsat 9,6 mio. kr.", Decimal("9600000")),  # page 000
        ("finansieret med 8,8 mio. kr.", Decimal("8800000")),  # page 001
        ("hvoraf 1 mio. kr. er anvendt", Decimal("1000000")),  # page 002
        ("afsat i alt 10,5 mio. kr. til initiativet", Decimal("10500000")),  # page 004
        ("11.136.245 kr.", Decimal("11136245")),
        ("syv mio. kr.", Decimal("7000000")),
        ("tolv millioner kr.", Decimal("12000000")),
    ],
)
def test_amounts(text: str, expected: Decimal) -> None:
    assert parse_amount(text) == expected


def test_numbers() -> None:
    assert parse_number("9,6") == Decimal("9.6")
    assert parse_number("31.000") == Decimal("31000")
    assert parse_number("fjorten") == 14
    with pytest.raises(ValueError):
        parse_number("mange")


@pytest.mark.parametrize(
    ("text", "exact", "low", "high"),
    [
        ("støtte 20 kommuner i anvendelsen af peers", 20, None, None),  # page 004
        ("et referencenetværk bestående af 14 kommuner", 14, None, None),  # page 001
        ("op mod 20 kommuner", None, None, 20),
        ("5-7 kommuner", None, 5, 7),
        ("fem–syv kommuner", None, 5, 7),
    ],
)
def test_counts(text: str, exact: int | None, low: int | None, high: int | None) -> None:
    (count,) = find_counts(text)
    assert (count.exact, count.low, count.high, count.noun) == (exact, low, high, "municipality")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sidst opdateret 05/12 2016", date(2016, 12, 5)),  # page 000
        ("Senest opdateret 11-03-2021", date(2021, 3, 11)),  # page 001
        ("07-04-2022", date(2022, 4, 7)),  # page 003
        ("1. juni 2016", date(2016, 6, 1)),
        ("01.01.2020", date(2020, 1, 1)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_periods() -> None:
    assert (parse_period("2014 - 2017").start, parse_period("2014 - 2017").end) == (2014, 2017)
    period = parse_period("01.01.2020–30.09.2022")
    assert (period.start, period.end) == (date(2020, 1, 1), date(2022, 9, 30))
    assert (parse_period("2016").start, parse_period("2016").end) == (2016, 2016)
    with pytest.raises(ValueError):
        parse_period("løbende")


@pytest.fixture(scope="module")
def known(shipped: KnowledgeGraph):  # type: ignore[no-untyped-def]
    return shipped.union()


def test_the_accuracy_is_at_least_what_the_document_records(shipped: KnowledgeGraph) -> None:
    scores = score(SEEDS, shipped)
    print(render(scores))
    documented = recorded((REPO / "docs" / "ingest-accuracy.md").read_text(encoding="utf-8"))
    assert set(documented) == {s.field for s in scores}
    for field_score in scores:
        precision, recall = documented[field_score.field]
        assert round(field_score.precision, 2) >= precision, field_score
        assert round(field_score.recall, 2) >= recall, field_score


def test_a_draft_is_marked_as_machine_extracted(known, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, graph = ingest(SHARED / "seeds" / "004_3f2385aee20403ac.txt", known=known,
                      source_url="https://example.org/peers")  # fmt: skip
    turtle = graph.serialize(format="turtle")
    assert "ikg:DraftGraph" in turtle and "prov:wasGeneratedBy" in turtle
    assert "prov:SoftwareAgent" in turtle and "ikg:draftMainEntity" in turtle
    assert "schema:mainEntity" not in turtle  # never mistaken for a curated page
    assert "<https://example.org/peers>" in turtle


def test_every_seed_page_gives_a_draft_that_validates(tmp_path: Path) -> None:
    for seed in SEEDS:
        result = runner.invoke(
            app, ["ingest", str(seed), "-o", str(tmp_path / f"{seed.stem}.ttl"), "--check"]
        )
        assert result.exit_code == 0, (seed.name, result.stderr)
        assert "0 violation(s)" in result.stderr


def test_the_cli_says_which_fields_it_left_empty(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(SHARED / "seeds" / "003_2c1dc067afd214bc.txt")])
    assert result.exit_code == 0
    assert "left empty:" in result.stderr and "period" in result.stderr
    assert result.stdout.startswith("@prefix")


OTHER_LAYOUT = """Forside > Projekter > Et nyt projekt

Et nyt projekt om pårørende

Projektperiode
1. juni 2016 – 31. december 2018

Målgruppe
Voksne pårørende til mennesker med psykiske vanskeligheder.

Samarbejdsparter
Projektet gennemføres i samarbejde med Aarhus og Odense Kommuner samt op mod 20 kommuner.

Finansiering
Der er afsat syv mio. kr. fra satspuljen 2016-2019.
"""


def test_a_page_without_colons_after_its_headings(known) -> None:  # type: ignore[no-untyped-def]
    extraction = extract(OTHER_LAYOUT, "other-layout", known)
    assert extraction.title == "Et nyt projekt om pårørende"
    assert (extraction.period.start, extraction.period.end) == (
        date(2016, 6, 1),
        date(2018, 12, 31),
    )  # type: ignore[union-attr]
    assert extraction.target_groups == ["adult-relatives"]
    assert set(extraction.municipalities) == {"751", "461"}  # Aarhus, Odense
    assert [(c.high, c.noun) for c, _ in extraction.counts] == [(20, "municipality")]
    assert extraction.amounts == [Decimal("7000000")]
    assert extraction.funding_agreement == "new:satspuljen 2016-2019"


def test_a_news_item_and_a_page_cut_off_in_the_middle(known) -> None:  # type: ignore[no-untyped-def]
    news = extract(
        "Nyhed: ny rapport om peers\n\n12-05-2023\n\nSocialstyrelsen har udgivet en rapport.",
        "news",
        known,
    )
    assert news.title == "Nyhed: ny rapport om peers" and news.period is None
    cut = extract("Et projekt\n\nProjektperiode:\n\n2019 - 20", "cut", known)
    assert cut.title == "Et projekt" and cut.period is not None and cut.period.start == 2019
    assert "period" not in cut.missing()
    assert sections("Formål\nAt hjælpe.")["purpose"] == "At hjælpe."


def test_malformed_input_gives_a_clear_error_or_a_partial_draft(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = runner.invoke(app, ["ingest", str(empty)])
    assert result.exit_code == 0 and "left empty: title" in result.stderr
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    result = runner.invoke(app, ["ingest", str(binary)])
    assert result.exit_code == 2 and "binary" in result.stderr
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Pårørende i Århus\n\nProjektperiode:\n2014 - 2017\n".encode("latin-1"))
    result = runner.invoke(app, ["ingest", str(latin)])
    assert result.exit_code == 0 and "Pårørende i Århus" in result.stdout
    big = tmp_path / "big.txt"
    big.write_text("Et stort projekt\n\n" + ("Målgruppe: pårørende. " * 500_000))
    assert big.stat().st_size > 10_000_000
    result = runner.invoke(app, ["ingest", str(big)])
    assert result.exit_code == 0 and result.exception is None
    result = runner.invoke(app, ["ingest", str(tmp_path / "missing.txt")])
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_diff_of_a_graph_with_itself_and_with_a_change(tmp_path: Path) -> None:
    curated = REPO / "data" / "initiatives" / "004-udbrede-anvendelse-af-peers.ttl"
    same = runner.invoke(app, ["diff", str(curated), str(curated)])
    assert same.exit_code == 0 and "isomorphic" in same.stdout
    changed = tmp_path / "004.ttl"
    text = curated.read_text(encoding="utf-8")
    assert '"10500000"^^xsd:decimal' in text
    changed.write_text(text.replace('"10500000"^^xsd:decimal', '"10500000.00"^^xsd:decimal'))
    result = runner.invoke(app, ["diff", str(curated), str(changed)])
    # Another lexical form of the same number is another literal: the diff shows it.
    assert result.exit_code == 1
    assert (
        '- schema:value "10500000"^^xsd:decimal' in result.stdout
        and '+ schema:value "10500000.00"^^xsd:decimal' in result.stdout
    ), result.stdout
