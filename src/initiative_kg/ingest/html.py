"""A saved or fetched HTML page as the plain text that ``ikg ingest`` reads.

The page is parsed with the standard library's HTML parser (a tokenising parser that copes with
unclosed and misnested tags), not with regular expressions. The text keeps what the page shows as
its content: the main heading first (the title), then every heading on a line of its own (so
that the layout's sections, "Projektperiode", "Målgruppe", …, are found as in a text page) and
the paragraphs, list items and table cells between them. Navigation, breadcrumbs, skip links,
headers, footers, forms, scripts, styles and pictures are left out.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose whole content is never the page's content.
SKIPPED = {"head", "title", "script", "style", "noscript", "template", "svg", "nav", "header",
           "footer", "form", "button", "select", "iframe", "aside"}  # fmt: skip
# Elements that end a line of text.
BLOCKS = {"p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "tr",
          "table", "br", "blockquote", "figcaption", "address"}  # fmt: skip
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Void elements have no end tag: they must not open a skipped region.
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
FURNITURE = re.compile(r"breadcrumb|brødkrumme|skip|spring-til|cookie|share|del-siden|menu",
                       re.IGNORECASE)  # fmt: skip


def looks_like_html(raw: bytes) -> bool:
    head = raw[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head


class _PageText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []  # finished lines
        self.line: list[str] = []
        self.skip_depth = 0  # > 0 inside a skipped element
        self.stack: list[tuple[str, bool]] = []  # (tag, opened a skipped region)
        self.h1: list[str] = []
        self.in_h1 = False
        self.title: list[str] = []
        self.in_title = False

    def _skipped(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        if tag == "header" and any(t in {"main", "article"} for t, _ in self.stack):
            return False  # an article's own header holds its heading, not the site's menu
        if tag in SKIPPED:
            return True
        values = " ".join(v or "" for k, v in attrs if k in {"class", "id", "aria-label", "role"})
        if dict(attrs).get("role") == "navigation" or dict(attrs).get("aria-hidden") == "true":
            return True
        if tag == "a" and (dict(attrs).get("href") or "").startswith("#"):
            return True  # "Gå til indhold" and other links within the page
        return bool(FURNITURE.search(values))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        if tag in VOID:
            if tag == "br" and not self.skip_depth:
                self._end_line()
            return
        opens = self._skipped(tag, attrs)
        self.stack.append((tag, opens))
        if opens:
            self.skip_depth += 1
            return
        if not self.skip_depth and (tag in BLOCKS or tag in HEADINGS):
            self._end_line()
            if tag == "li":
                self.line.append("• ")
        if tag == "h1" and not self.skip_depth:
            self.in_h1 = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in VOID:
            return
        # close up to the matching start tag (browsers forgive misnesting; so do we)
        while self.stack:
            open_tag, opened = self.stack.pop()
            if opened:
                self.skip_depth -= 1
            if open_tag == "h1":
                self.in_h1 = False
            if open_tag == tag:
                break
        if not self.skip_depth and (tag in BLOCKS or tag in HEADINGS):
            self._end_line()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        if self.skip_depth:
            return
        if self.in_h1:
            self.h1.append(data)
        self.line.append(data)

    def _end_line(self) -> None:
        text = re.sub(r"[ \t\r\f\v\u00a0]+", " ", "".join(self.line)).strip()
        if text and text != "•":
            self.blocks.append(text)
        self.line = []

    def text(self) -> str:
        self._end_line()
        title = re.sub(r"\s+", " ", "".join(self.h1) or "".join(self.title)).strip()
        blocks = list(self.blocks)
        if title and title in blocks:
            blocks.remove(title)  # the main heading is the title, first; not repeated below
        return "\n\n".join([title, *blocks] if title else blocks) + "\n"


def html_to_text(html: str) -> str:
    """The page's content as text in the layout ``ikg ingest`` reads (see the module doc)."""
    parser = _PageText()
    parser.feed(html)
    parser.close()
    return parser.text()
