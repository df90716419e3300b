"""Downloading the attachments of an official answer: only through the permission check."""

from django.views.decorators.http import require_GET

from mycity.lib.downloads import private_file_response

from .. import selectors


@require_GET
def answer_file(request, ref, pk):
    """A file of an answer, never a public media URL: 404 for whoever may not have it."""
    attachment = selectors.get_answer_attachment_for_user(request.user, ref, pk)
    return private_file_response(
        attachment.file, filename=attachment.name, content_type=attachment.content_type
    )
