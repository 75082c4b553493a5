"""ikg diff: blank nodes under the resource that holds them, the files' own prefixes, and two
drafts of one page lined up."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from initiative_kg.cli import app
from initiative_kg.compare import diff
from initiative_kg.store import KnowledgeGraph

runner = CliRunner()

HEADER = """@prefix ikg: <https://w3id.org/initiative-kg/ontology#> .
@prefix initiative: <https://w3id.org/initiative-kg/id/initiative/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
PROJECT = """initiative:{slug} a ikg:Project ;
    rdfs:label "{title}"@da ;
    ikg:period [ a time:ProperInterval ;
        time:hasBeginning [ a time:Instant ; time:inXSDgYear "{start}"^^xsd:gYear ] ;
        time:hasEnd [ a time:Instant ; time:inXSDgYear "2017"^^xsd:gYear ] ] .
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _diff(first: Path, second: Path) -> list[str]:
    result = runner.invoke(app, ["diff", str(first), str(second)])
    assert result.exit_code == 1, result.stderr
    return result.stdout.splitlines()


def test_a_blank_node_is_shown_under_the_resource_that_holds_it(tmp_path: Path) -> None:
    """Guards that a change inside a blank node (a period's start) appears under its
    initiative with the path to it, not under a bare "[]" shared by every blank node."""
    projects = [
        PROJECT.format(slug="a", title="Projekt A", start="2014"),
        PROJECT.format(slug="b", title="Projekt B", start="2015"),
    ]
    first = _write(tmp_path / "a.ttl", HEADER + "".join(projects))
    second = _write(tmp_path / "b.ttl", HEADER + projects[0] + projects[1].replace("2015", "2016"))
    assert _diff(first, second) == [
        "initiative:b (Projekt B)",
        '  - ikg:period/time:hasBeginning/time:inXSDgYear "2015"^^xsd:gYear',
        '  + ikg:period/time:hasBeginning/time:inXSDgYear "2016"^^xsd:gYear',
    ]


def test_blank_nodes_that_swapped_values_are_never_a_silent_pass(tmp_path: Path) -> None:
    """Guards the other side of showing only what changed inside blank nodes: two amounts
    that swapped their currencies read the same path by path, yet the graphs differ; the diff
    must say so (exit 1) and show what differs, though every line has its twin."""
    amounts = """@prefix schema: <https://schema.org/> .
@prefix grant: <https://w3id.org/initiative-kg/id/grant/> .
grant:g schema:amount [ schema:value 1 ; schema:currency "DKK" ] ,
                      [ schema:value 2 ; schema:currency "EUR" ] .
"""
    first = _write(tmp_path / "a.ttl", amounts)
    second = _write(
        tmp_path / "b.ttl",
        amounts.replace('"DKK"', '"X"').replace('"EUR"', '"DKK"').replace('"X"', '"EUR"'),
    )
    lines = _diff(first, second)
    assert lines[0] == "grant:g"
    assert '  - schema:amount/schema:currency "DKK"' in lines
    assert '  + schema:amount/schema:currency "DKK"' in lines
    assert sorted(lines[1:]) == [
        '  + schema:amount/schema:currency "DKK"',
        '  + schema:amount/schema:currency "EUR"',
        '  - schema:amount/schema:currency "DKK"',
        '  - schema:amount/schema:currency "EUR"',
    ]


def test_only_the_prefixes_the_files_declare_are_used(tmp_path: Path) -> None:
    """Guards against names with the project's display prefixes that the files never declare:
    an IRI outside the declared namespaces is written in full."""
    header = HEADER.replace("@prefix time: <http://www.w3.org/2006/time#> .\n", "")
    header = header.replace("@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n", "")
    header = header.replace("@prefix initiative:", "@prefix proj:").replace(
        "initiative/> .", "initiative/> ."
    )
    text = header + (
        'proj:a a ikg:Project ; rdfs:label "A"@da ; '
        "<http://www.w3.org/ns/prov#wasDerivedFrom> <https://w3id.org/initiative-kg/id/source/s> .\n"
    )
    first = _write(tmp_path / "a.ttl", text)
    second = _write(tmp_path / "b.ttl", text.replace('"A"@da', '"B"@da'))
    lines = _diff(first, second)
    assert lines == ["proj:a (A)", '  - rdfs:label "A"@da', '  + rdfs:label "B"@da']
    whole = "\n".join(_diff(first, _write(tmp_path / "c.ttl", header)))
    assert (
        "<http://www.w3.org/ns/prov#wasDerivedFrom> <https://w3id.org/initiative-kg/id/source/s>"
        in whole
    )
    assert "prov:" not in whole and "source:" not in whole and "initiative:" not in whole


DRAFT = """@prefix grant: <https://w3id.org/initiative-kg/id/grant/> .
@prefix ikg: <https://w3id.org/initiative-kg/ontology#> .
@prefix initiative: <https://w3id.org/initiative-kg/id/initiative/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix source: <https://w3id.org/initiative-kg/id/source/> .

source:page-7 a ikg:SourcePage ; ikg:draftMainEntity initiative:{slug} .
initiative:{slug} a ikg:Project ; rdfs:label "{title}"@da .
grant:draft-{slug} a ikg:Grant ; schema:fundedItem initiative:{slug} ; rdfs:label "Bevilling"@da .
"""


def test_two_drafts_of_one_page_with_different_slugs_are_lined_up(tmp_path: Path) -> None:
    """Guards that the initiatives two drafts of the same page name differently are compared
    as one (its grant with it), so that the diff shows the title that changed, not two whole
    initiatives."""
    first = _write(tmp_path / "a.ttl", DRAFT.format(slug="et-projekt", title="Et projekt"))
    second = _write(tmp_path / "b.ttl", DRAFT.format(slug="et-nyt-projekt", title="Et nyt projekt"))
    assert _diff(first, second) == [
        "initiative:et-nyt-projekt in B is lined up with initiative:et-projekt in A: the main "
        "initiative of source:page-7 in both",
        "",
        "initiative:et-projekt (Et projekt)",
        '  - rdfs:label "Et projekt"@da',
        '  + rdfs:label "Et nyt projekt"@da',
    ]


def test_the_same_graph_is_no_difference(tmp_path: Path) -> None:
    draft = _write(tmp_path / "a.ttl", DRAFT.format(slug="x", title="X"))
    before = KnowledgeGraph.load([draft], background="none")
    assert not diff(before, before)
    same = runner.invoke(app, ["diff", str(draft), str(draft)])
    assert same.exit_code == 0 and same.stdout == "the graphs are isomorphic\n"
