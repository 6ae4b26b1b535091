"""Tagged, marked PDF documents (fpdf2: pure Python, no network, no browser), for every generated pack.

fpdf2 writes a structure tree for images with alternative text only, and flat under the document. This
adds what a reader needs: headings (H1, H2), paragraphs (P), list items, figures with alternative text,
and tables as Table > TR > TH/TD with the header cells marked; the protective marking in the header and
footer of every page, marked as page furniture (an artefact) so a screen reader reads it once, not on
every page. The document language is British English."""

import logging
from collections.abc import Generator, Iterable, Sequence
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import MethodReturnValue
from fpdf.structure_tree import StructElem, StructureTreeBuilder
from fpdf.syntax import PDFArray

# fpdf2 notes every SVG element it does not draw (a chart's <title>, <desc> and <metadata>, which the
# PDF carries as the figure's alternative text instead).
logging.getLogger("fpdf.svg").setLevel(logging.ERROR)

_REPLACE = {"–": "-", "—": "-", "−": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "·": "-"}


def latin1(value: object) -> str:
    """The built-in PDF fonts cover Latin-1 only: map common punctuation, replace anything else."""
    text = str(value)
    for a, b in _REPLACE.items():
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


class _DocumentKids(PDFArray):
    """Every structure element is listed here, so fpdf2 writes each one and gives it its page; only the
    document's own children are written into the document element's /K."""

    def __init__(self, owner: StructElem) -> None:
        super().__init__()
        self.owner = owner

    def serialize(self, _security_handler: Any = None, _obj_id: int | None = None) -> str:
        return PDFArray([e for e in self if e.p is self.owner]).serialize(_security_handler, _obj_id)


class _Tree(StructureTreeBuilder):
    """A structure tree that nests: tables, rows and cells, as well as fpdf2's flat elements."""

    def __init__(self) -> None:
        super().__init__()
        self.doc_struct_elem.k = _DocumentKids(self.doc_struct_elem)

    def container(self, struct_type: str, parent: StructElem | None, page_number: int) -> StructElem:
        parent = parent or self.doc_struct_elem
        elem = StructElem(struct_type=struct_type, parent=parent, kids=[], page_number=page_number)
        if parent is not self.doc_struct_elem:
            parent.k.append(elem)
        self.doc_struct_elem.k.append(elem)
        return elem

    def add_marked_content(
        self,
        page_number: int,
        struct_type: str,
        mcid: int | None = None,
        title: str | None = None,
        alt_text: str | None = None,
        parent: StructElem | None = None,
    ) -> tuple[StructElem, int]:
        elem, spid = super().add_marked_content(page_number, struct_type, mcid, title, alt_text)
        if parent is not None:
            elem.p = parent
            parent.k.append(elem)
        return elem, spid

    def next_mcid_for_page(self, page_number: int) -> int:
        """Marked content on the page so far (containers hold elements, not marked content)."""
        return sum(
            1
            for e in self.doc_struct_elem.k
            if e.page_number() == page_number and e.k and all(isinstance(k, int) for k in e.k)
        )


class TaggedDocument(FPDF):
    """An A4 document with the marking at the top and bottom of every page and a tagged structure."""

    def __init__(self, title: str, marking: str, font_dir: Path | None = None) -> None:
        super().__init__(format="A4")
        self.struct_builder = _Tree()
        self.doc_title = title
        self.marking = marking
        self.set_title(latin1(title))
        self.set_author("MARSOC Hub")
        self.set_lang("en-GB")
        self.set_auto_page_break(auto=True, margin=15)
        self.fonts_for_svg(font_dir)
        self.add_page()

    def fonts_for_svg(self, font_dir: Path | None) -> None:
        """Register the font SVG charts name (matplotlib's DejaVu Sans), so their text stays text."""
        if font_dir is not None:
            self.add_font("DejaVu Sans", "", str(font_dir / "DejaVuSans.ttf"))
            self.add_font("DejaVu Sans", "B", str(font_dir / "DejaVuSans-Bold.ttf"))

    # -- page furniture -------------------------------------------------------------------------

    @contextmanager
    def _artifact(self) -> Generator[None]:
        self._out("/Artifact BMC")
        yield
        self._out("EMC")

    def header(self) -> None:
        with self._artifact():
            self.set_font("Helvetica", "B", 8)
            self.cell(0, 5, latin1(self.marking), align="C", new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        with self._artifact():
            self.set_y(-12)
            self.set_font("Helvetica", "", 8)
            self.cell(0, 5, latin1(f"{self.doc_title} - page {self.page_no()} - {self.marking}"), align="C")

    # -- tagged content -------------------------------------------------------------------------

    @contextmanager
    def tagged(
        self, struct_type: str, *, parent: StructElem | None = None, alt: str | None = None
    ) -> Generator[StructElem]:
        """Content marked as one structure element (no page break may happen inside)."""
        tree: _Tree = self.struct_builder  # type: ignore[assignment]
        mcid = tree.next_mcid_for_page(self.page)
        elem, spid = tree.add_marked_content(
            self.page, struct_type, mcid=mcid, alt_text=None if alt is None else latin1(alt), parent=parent
        )
        self.pages[self.page].struct_parents = spid
        self._set_min_pdf_version("1.5")
        self._out(f"{struct_type} <</MCID {mcid}>> BDC")
        yield elem
        self._out("EMC")

    def _room_for(self, height: float) -> None:
        if self.y + height > self.page_break_trigger:
            self.add_page()

    def _text_block(self, struct_type: str, text: str, size: float, style: str, line: float) -> None:
        self.set_font("Helvetica", style, size)
        text = latin1(text)
        height = self.multi_cell(0, line, text, dry_run=True, output=MethodReturnValue.HEIGHT)
        self._room_for(float(height))  # type: ignore[arg-type]
        with self.tagged(struct_type):
            self.multi_cell(0, line, text, new_x="LMARGIN", new_y="NEXT")

    def h1(self, text: str) -> None:
        self.start_section(latin1(text), level=0)
        self._text_block("/H1", text, 16, "B", 8)
        self.ln(2)

    def h2(self, text: str) -> None:
        self.ln(2)
        self.start_section(latin1(text), level=1, strict=False)
        self._text_block("/H2", text, 12, "B", 7)

    def para(self, text: str) -> None:
        self._text_block("/P", text, 10, "", 5)

    def items(self, lines: Sequence[str], empty: str = "None.") -> None:
        if not lines:
            self.para(empty)
            return
        for line in lines:
            self._text_block("/LI", f"- {line}", 10, "", 5)

    def figure(self, svg: str, alt: str, width: float = 180) -> None:
        """A chart (SVG, drawn as vectors, its text kept as text) with its alternative text."""
        self._room_for(width * 0.45)
        with self.tagged("/Figure", alt=alt):
            self.image(BytesIO(svg.encode()), w=width)
        self.ln(2)

    def table(  # type: ignore[override]
        self, header: Sequence[str], rows: Iterable[Sequence[str]], row_header: bool = True
    ) -> None:
        """A table whose first row holds the column headers (TH, scope column) and, with `row_header`,
        whose first cell of each row is the row's header."""
        tree: _Tree = self.struct_builder  # type: ignore[assignment]
        columns = len(header)
        first = min(60.0, self.epw * 0.32) if columns > 1 else self.epw
        rest = (self.epw - first) / max(1, columns - 1)
        widths = [first] + [rest] * (columns - 1)
        table = tree.container("/Table", None, self.page)

        def line(cells: Sequence[str], bold_first: bool, header_row: bool) -> None:
            self.set_font("Helvetica", "B" if header_row else "", 8)
            height = max(
                float(self.multi_cell(w, 4, latin1(c), dry_run=True, output=MethodReturnValue.HEIGHT))  # type: ignore[arg-type]
                for w, c in zip(widths, cells, strict=True)
            )
            self._room_for(height)
            tr = tree.container("/TR", table, self.page)
            top, x = self.y, self.l_margin
            for i, (w, cell) in enumerate(zip(widths, cells, strict=True)):
                is_header = header_row or (bold_first and i == 0)
                self.set_font("Helvetica", "B" if is_header else "", 8)
                self.set_xy(x, top)
                with self.tagged("/TH" if is_header else "/TD", parent=tr):
                    self.multi_cell(w, 4, latin1(cell), border="B", align="L" if i == 0 else "R")
                x += w
            self.set_xy(self.l_margin, top + height)

        line(header, False, True)
        for row in rows:
            line(row, row_header, False)
        self.ln(3)
