"""Documents as PDF: one path for every PDF Hearth makes (the subject-access export, a meeting
record, a case's history). Each is an HTML template with ``<html lang="en-GB">`` and a
``<title>``; WeasyPrint makes it a tagged PDF (PDF/UA-1), so a screen reader can follow its
headings and tables, its language is set and the title is in its metadata -- what a council's
case-management system is given when the record is uploaded there."""
from __future__ import annotations

from flask import Response, render_template
from weasyprint import HTML

PDF_VARIANT = "pdf/ua-1"   # a tagged PDF, for screen readers


def render_pdf(template: str, title: str, **context) -> bytes:
    """The template, given ``title`` (its ``<title>``: the PDF's title) and the context, as a tagged PDF."""
    html = render_template(template, title=title, **context)
    return HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)


def download(body: bytes | str, mimetype: str, name: str) -> Response:
    """A file to save, never kept by a browser's or a proxy's cache (it holds a child's record)."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
