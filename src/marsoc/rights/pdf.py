"""The subject access response for the person as PDF (fpdf2, built-in fonts: Latin-1 only)."""

from fpdf import FPDF

from .models import RequestRecord, SubjectAccessRequest

_PLAIN = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "..."})


def _latin(value: object) -> str:
    return str(value).translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def response_pdf(request: SubjectAccessRequest, records: list[RequestRecord], withheld: int) -> bytes:
    doc = FPDF(format="A4")
    doc.set_title(_latin(f"Your personal data - {request.reference}"))
    doc.set_author("MARSOC Hub")
    doc.set_auto_page_break(auto=True, margin=15)
    doc.add_page()
    doc.set_font("Helvetica", "B", 15)
    doc.multi_cell(0, 8, _latin("The personal data we hold about you"), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 10)
    intro = (
        f"Response to the request made by {request.requester}, received on {request.received_on:%d %B %Y} "
        f"(our reference {request.reference}), under section 45 of the Data Protection Act 2018."
    )
    doc.multi_cell(0, 5, _latin(intro), new_x="LMARGIN", new_y="NEXT")
    if withheld:
        doc.ln(2)
        doc.multi_cell(
            0, 5,
            _latin("Some information has been withheld under section 45(4) of the Act. You may complain to the "
                   "Information Commissioner's Office, or apply to a court."),
            new_x="LMARGIN", new_y="NEXT",
        )  # fmt: skip
    section = ""
    for record in records:
        if record.section != section:
            section = record.section
            doc.ln(3)
            doc.set_font("Helvetica", "B", 12)
            doc.multi_cell(0, 6, _latin(section), new_x="LMARGIN", new_y="NEXT")
        doc.set_font("Helvetica", "B", 9)
        doc.multi_cell(0, 5, _latin(record.reference), new_x="LMARGIN", new_y="NEXT")
        doc.set_font("Helvetica", "", 9)
        for label, value in record.fields:
            doc.multi_cell(0, 4.5, _latin(f"{label}: {value}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())
