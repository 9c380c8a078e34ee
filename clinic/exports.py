"""A patient's data to take away: the JSON document and the printable summary, as downloads.

Shared by the administrator's privacy page and the patient's own portal; what the document holds
is ``clinic.services.privacy.export_patient``.
"""
from __future__ import annotations

import json
from datetime import datetime

from flask import Response, render_template
from flask_babel import force_locale, get_locale

from clinic.localtime import to_local, utcnow
from clinic.models import Patient
from clinic.readiness import vocabulary
from clinic.templating import local_datetime

# The rules file's names for the codes the export holds, each as a code → Text mapping.
SUMMARY_VOCABULARY = {
    "flag": lambda: {code: flag.label for code, flag in vocabulary.screening_flags().items()},
    "indication": vocabulary.indications,
    "complaint": lambda: {code: complaint.label for code, complaint in vocabulary.complaints().items()},
    "modality": vocabulary.modalities,
}


def json_download(document: dict, patient: Patient) -> Response:
    """Return the export document as a JSON file to save."""
    return _download(json.dumps(document, ensure_ascii=False, indent=2), "application/json", patient, "json")


def summary_download(document: dict, patient: Patient) -> Response:
    """Return a printable summary of the export document, in the patient's language, as a file to save."""
    with force_locale(patient.preferred_language):
        page = render_template("exports/patient_summary.html", export=document, when=iso_to_local,
                               label=vocabulary_label)
    return _download(page, "text/html", patient, "html")


def _download(body: str, mimetype: str, patient: Patient, extension: str) -> Response:
    """Return ``body`` as a file to save, never to be kept in a cache."""
    name = f"patient-{patient.id}-{to_local(utcnow()):%Y%m%d}.{extension}"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def iso_to_local(iso: str | None) -> str:
    """Show an ISO 8601 instant of the export in the clinic's words ('—' for none)."""
    return local_datetime(datetime.fromisoformat(iso)) if iso else "—"


def vocabulary_label(kind: str, code: str) -> str:
    """Return the label of a flag, indication, complaint or modality code in the page's language."""
    text = SUMMARY_VOCABULARY[kind]().get(code)
    return getattr(text, get_locale().language, code) if text else code
