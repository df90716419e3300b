"""Words for what the appeal admin stores as codes: audit entries and category answers.

The audit log keeps codes ("appeals.accept") and field names ("status") so
that it reads the same in every language and never changes; staff read them
here in their own language. The answers to a category's questions are a JSON
object of code → value; staff read them as "question: answer".
"""

import datetime as dt

from django.core.exceptions import FieldDoesNotExist
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from ..models import Appeal
from ..selectors import extra_answer_pairs
from ..workflow import Status

# What the audit's changes name besides the appeal's own fields.
CHANGED = {
    "answer": _("official answer"),
    "attachments": _("answer files"),
    "attachments_public": _("files shown publicly"),
    "question": _("question to the author"),
    "note": _("internal note"),
    "followers_moved": _("followers moved"),
    "notified": _("notified"),
    "reason": _("reason"),
}


# Changes whose value is the id of a message written with them.
SENT = {"answer", "question"}


def changed_label(field: str) -> str:
    if field in CHANGED:
        return str(CHANGED[field])
    if field.startswith("attachment ") and field.endswith(" public"):
        return str(CHANGED["attachments_public"])
    try:
        return str(Appeal._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:  # an old or foreign name: shown as stored
        return field


def _value(field: str, value) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return str(_("yes"))
    if value is False:
        return str(_("no"))
    if field == "status" and value in Status.values:
        return str(Status(value).label)
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "—"
    if isinstance(value, str) and len(value) == 10:
        try:
            return short_date(dt.date.fromisoformat(value))
        except ValueError:
            pass
    return str(value)


def audit_changes(entry):
    """The entry's changes as "field: before → after" lines, in the reader's language."""
    changes = entry.changes or {}
    if not isinstance(changes, dict):
        return str(changes)
    pairs = []
    for field, value in changes.items():
        if field in SENT:
            shown = str(_("sent"))  # the value is the message's id: its text is in the messages
        elif isinstance(value, list | tuple) and len(value) == 2:
            before, after = _value(field, value[0]), _value(field, value[1])
            if before == after:
                continue  # e.g. no files before and none after
            shown = f"{before} → {after}"
        else:
            shown = _value(field, value)
        pairs.append((changed_label(field), shown))
    return format_html_join("", "<div><strong>{}</strong>: {}</div>", pairs)


def answers_html(appeal: Appeal):
    """The answers to the category's questions, one "question: answer" line each."""
    pairs = extra_answer_pairs(appeal)
    if not pairs:
        return "—"
    return format_html_join("", '<div class="appeal-answer">{}: {}</div>', pairs)


def short_date(value) -> str:
    """A date as the language writes it briefly (05.12.2026 / 12/05/2026)."""
    return date_format(value, "SHORT_DATE_FORMAT")
