"""The grant's figures and a claim's invoice as PDF (fpdf2, built-in fonts: Latin-1 only)."""

from fpdf import FPDF

from marsoc.core.pdf import latin1 as _t

from .models import Claim, DecisionRecord
from .money import pounds
from .selectors import GrantSummary


class _Doc(FPDF):
    def __init__(self, title: str, marking: str = "OFFICIAL") -> None:
        super().__init__(format="A4")
        self.doc_title, self.marking = title, marking
        self.set_title(_t(title))
        self.set_author("MARSOC Hub")
        self.set_auto_page_break(auto=True, margin=15)
        self.add_page()

    def header(self) -> None:
        self.set_font("Helvetica", "B", 8)
        self.cell(0, 5, _t(self.marking), align="C", new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 5, _t(f"{self.doc_title} - page {self.page_no()}"), align="C")

    def h1(self, text: str) -> None:
        self.set_font("Helvetica", "B", 15)
        self.multi_cell(0, 8, _t(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def h2(self, text: str) -> None:
        self.ln(2)
        self.set_font("Helvetica", "B", 11)
        self.multi_cell(0, 6, _t(text), new_x="LMARGIN", new_y="NEXT")

    def para(self, text: str) -> None:
        self.set_font("Helvetica", "", 10)
        self.multi_cell(0, 5, _t(text), new_x="LMARGIN", new_y="NEXT")

    def row(self, cells: list[str], widths: list[int], *, bold: bool = False) -> None:
        self.set_font("Helvetica", "B" if bold else "", 10)
        for i, (text, width) in enumerate(zip(cells, widths, strict=True)):
            self.cell(width, 6, _t(text), border=1, align="L" if i == 0 else "R")
        self.ln()


def grant_figures_pdf(summary: GrantSummary) -> bytes:
    """The award paper's table, year by year, rebuilt from the posts, with the rounding flag."""
    grant = summary.grant
    doc = _Doc(f"{grant.reference} grant figures")
    doc.h1(grant.title)
    doc.para(f"{grant.funder} to {grant.recipient}: {pounds(grant.amount_pence)}, "
             f"{grant.starts_on:%-d %B %Y} to {grant.ends_on:%-d %B %Y}")  # fmt: skip
    doc.para(f"Payment terms: {grant.payment_terms}")
    widths = [80, 50, 50]
    for table in summary.tables:
        doc.h2(f"Salaries and overheads {table.label}")
        doc.row(["Role", f"Salary {table.label}", "Overhead costs"], widths, bold=True)
        for row in summary.posts:
            cost = next((c for c in row.costs if c.year.label == table.label), None)
            if cost is not None:
                doc.row(
                    [
                        row.post.role + f" ({row.post.grade})",
                        pounds(cost.salary_pence),
                        pounds(cost.overhead_pence),
                    ],
                    widths,
                )
        doc.row(["Total", pounds(table.salary_pence), pounds(table.overhead_pence)], widths, bold=True)
        doc.row(["Grand total", "", pounds(table.stated_total_pence)], widths, bold=True)
        doc.row(["Quarterly payment total", "", pounds(table.stated_quarterly_pence)], widths, bold=True)
        if table.rounding_pence:
            doc.para(
                f"Note: the components add up to {pounds(table.components_pence)}, "
                f"{pounds(abs(table.rounding_pence))} {'more' if table.rounding_pence > 0 else 'less'} than the "
                f"stated grand total of {pounds(table.stated_total_pence)}: the printed amounts are rounded."
            )
    doc.h2("Total")
    doc.para(f"Stated grand totals together: {pounds(summary.stated_total_pence)} "
             f"(award: {pounds(grant.amount_pence)}); components together: {pounds(summary.components_pence)}.")  # fmt: skip
    return bytes(doc.output())


def invoice_pdf(claim: Claim) -> bytes:
    grant = claim.grant
    invoiced = bool(claim.invoice_number)
    doc = _Doc(f"Invoice {claim.invoice_number}" if invoiced else "Draft claim (not an invoice)")
    doc.h1(f"Invoice {claim.invoice_number}" if invoiced else "Draft claim - not an invoice")
    doc.para(f"From: {grant.recipient}")
    doc.para(f"To: {grant.funder}")
    doc.para(f"Grant: {grant.reference} {grant.title}")
    doc.para(
        f"For: quarter {claim.number}, {claim.starts_on:%-d %B %Y} to {claim.ends_on:%-d %B %Y}, in arrears"
    )
    if claim.submitted_at:
        doc.para(f"Date: {claim.submitted_at:%-d %B %Y}")
    doc.ln(3)
    widths = [90, 30, 30, 30]
    doc.row(["Post", "Days funded", "Eligible", "Actual"], widths, bold=True)
    for line in claim.lines.all():
        doc.row(
            [f"{line.post.role} ({line.post.grade})", f"{line.days_held} of {line.days_in_quarter}",
             pounds(line.eligible_pence), pounds(line.actual_pence)],
            widths,
        )  # fmt: skip
    doc.row(["Amount claimed", "", "", pounds(claim.claimed_pence)], widths, bold=True)
    if claim.variance_explanation:
        doc.h2("Variance")
        doc.para(claim.variance_explanation)
    doc.ln(2)
    doc.para(f"Payment terms: {grant.payment_terms}")
    return bytes(doc.output())


def decision_form_pdf(decision: DecisionRecord, *, has_part2: bool) -> bytes:
    """The decision form as the seed lays it out: title, summary, recommendation, the decision maker's
    declaration and approval, Part 1, publication (deferral, Part 2 yes or no) and the declarations with
    who ticked each and when. Part 2's content is never in it: it is a separate, exempt form."""
    doc = _Doc(f"Decision - {decision.reference}", marking="OFFICIAL - PUBLIC (Part 1)")
    doc.h1(f"Decision - {decision.reference}")
    doc.para(f"Title: {decision.title}")
    doc.h2("Executive summary")
    doc.para(decision.executive_summary)
    doc.h2("Recommendation")
    doc.para(decision.recommendation)
    doc.h2(decision.decision_maker_title)
    doc.para(
        "I confirm I have considered whether or not I have any personal or prejudicial interest in this matter "
        "and take the proposed decision in compliance with the Code of Conduct. Any such interests are recorded "
        "below."
    )
    doc.para(f"Interests: {decision.interest_declaration or 'Not yet declared'}")
    if decision.approved_by is not None and decision.approved_on is not None:
        name = decision.approved_by.get_full_name() or decision.approved_by.username
        doc.para(f"The above request has my approval. {name}, {decision.approved_on:%-d %B %Y}")
    else:
        doc.para("Not yet approved.")
    doc.h2("Part 1 - non-confidential facts and advice")
    doc.para(decision.part1_body)
    doc.h2("Public access to information")
    doc.para(
        "Information in this form (Part 1) is subject to the Freedom of Information Act 2000 and will be "
        "published following approval, unless publication is deferred to a specific date."
    )
    deferred = decision.deferred_until is not None
    doc.para(f"Is the publication of Part 1 of this approval to be deferred? {'YES' if deferred else 'NO'}")
    if deferred and decision.deferred_until is not None:
        doc.para(f"Reason: {decision.deferral_reason}")
        doc.para(f"Until: {decision.deferred_until:%-d %B %Y}")
    doc.para(f"Is there a Part 2 form? {'YES' if has_part2 else 'NO'}")
    doc.h2("Originating officer declaration")
    widths = [120, 60]
    doc.row(["Declaration", "Ticked by, date"], widths, bold=True)
    for d in decision.declarations.all():
        who = (
            f"Yes - {d.ticked_by.get_full_name() or d.ticked_by.username}, {d.ticked_on:%-d %b %Y}"
            if d.ticked_by is not None and d.ticked_on is not None
            else "Not ticked"
        )
        doc.row([d.get_kind_display(), who], widths)
    return bytes(doc.output())
