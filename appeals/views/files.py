"""Private files of an appeal, only through the permission check.

The files of an official answer download as attachments. Photos are shown
inline; a photo everyone may see (a public appeal, the photo not hidden)
may be kept by browsers and caches for a while, any other never.
"""

import os

from django.views.decorators.http import require_GET

from mycity.lib.downloads import private_file_response

from .. import selectors

# How long a browser or cache may keep a photo everyone may see. A photo
# staff hide later, or an appeal made private, may stay that long in a cache
# that already holds it; an ETag makes asking again after that cheap.
PUBLIC_PHOTO_MAX_AGE = 600
PHOTO_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}


@require_GET
def answer_file(request, ref, pk):
    """A file of an answer, never a public media URL: 404 for whoever may not have it."""
    attachment = selectors.get_answer_attachment_for_user(request.user, ref, pk)
    return private_file_response(
        attachment.file, filename=attachment.name, content_type=attachment.content_type
    )


def photo_response(request, photo):
    """`photo` (from selectors.get_photo_for_user) as an image answer."""
    extension = os.path.splitext(photo.image.name)[1].lower()
    content_type = PHOTO_TYPES.get(extension)
    public = selectors.photo_is_public(photo.appeal, photo)
    return private_file_response(
        photo.image,
        filename=f"{photo.appeal.reference}-{photo.pk}{extension}",
        # Our photos are JPEGs; anything else stored under a photo downloads as bytes.
        content_type=content_type or "application/octet-stream",
        inline=content_type is not None,
        public_max_age=PUBLIC_PHOTO_MAX_AGE if public else None,
        request=request,
    )


@require_GET
def photo(request, ref, pk):
    """A photo of an appeal: 404 for whoever may not see it, as on the appeal page."""
    return photo_response(request, selectors.get_photo_for_user(request.user, ref, pk))
