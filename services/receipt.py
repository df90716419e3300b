"""The PDF receipt of a submitted application (fpdf2, DejaVu Sans for Cyrillic)."""

import logging
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"
# fpdf2 subsets the font through fontTools, which logs every glyph at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def _money(fee) -> str:
    return f"{fee:.2f} ₴".replace(".", ",")


def receipt_pdf(application, *, language: str | None = None) -> bytes:
    """The receipt in `language` (the current one by default) as PDF bytes."""
    with translation.override(language or translation.get_language()):
        return _render(application)


def _render(application) -> bytes:
    service = application.service
    pdf = FPDF(format="A4")
    pdf.set_title(_("Receipt for application %(ref)s") % {"ref": application.reference})
    pdf.set_author(_("My City · Kherson"))
    pdf.set_creation_date(timezone.now())
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(width, 5, _("My City · Kherson · e-services"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(
        width,
        8,
        _("Receipt for application %(ref)s") % {"ref": application.reference},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)

    submitted = timezone.localtime(application.submitted_at)
    due = timezone.localtime(application.due_at)
    applicant = application.applicant
    if applicant is not None:
        who = applicant.full_name or applicant.email
    else:  # a request for public information without an account (Art. 19)
        requester = getattr(application, "requester", None)
        who = requester.name if requester is not None else "—"
    rows = [
        (_("Service"), service.name),
        (_("Responsible department"), application.department.name),
        (_("Applicant"), who),
        (_("Submitted"), submitted.strftime("%d.%m.%Y %H:%M")),
        (
            _("Answer due by"),
            due.strftime("%d.%m.%Y %H:%M") if application.urgent else due.strftime("%d.%m.%Y"),
        ),
        (_("Fee"), _("free") if service.is_free else _money(service.fee)),
    ]
    if service.legal_basis:
        rows.append((_("Legal basis"), service.legal_basis))
    _table(pdf, rows, width)

    if application.answers:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(width, 7, _("What was submitted"), new_x="LMARGIN", new_y="NEXT")
        language = translation.get_language()
        _table(
            pdf,
            [
                (item["label"].get(language) or item["label"].get("uk", ""), item["value"] or "—")
                for item in application.answers
            ],
            width,
        )
    documents = list(application.documents.filter(from_officer=False))
    if documents:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(width, 7, _("Attached documents"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        for document in documents:
            pdf.multi_cell(
                width,
                5,
                f"• {document.name} ({document.size // 1024 + 1} KB)",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    pdf.ln(5)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(
        width,
        5,
        _(
            "Follow the application at %(url)s. This receipt confirms that the application "
            "was received; it is not a decision."
        )
        % {"url": settings.SITE_URL + application.get_absolute_url()},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


def _table(pdf: FPDF, rows, width: float) -> None:
    label_width = width * 0.35
    for label, value in rows:
        pdf.set_font("DejaVu", "B", 10)
        label_lines = pdf.multi_cell(label_width, 5.5, str(label), dry_run=True, output="LINES")
        if pdf.will_page_break(5.5 * len(label_lines)):
            pdf.add_page()
        y = pdf.get_y()
        pdf.multi_cell(label_width, 5.5, str(label), new_x="RIGHT", new_y="TOP")
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(width - label_width, 5.5, str(value), new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), y + 5.5 * len(label_lines)) + 1)
