"""Appeals' part of a person's data (citizens.personal_data): export, erase, purge.

An appeal is a public record the Law "On Citizens' Appeals" requires the city
to keep, so deleting an account detaches the person rather than deleting
what they filed: the author's name and residence as registered are blanked,
a contact for the answer kept from a staff registration is deleted, follows
end, supports stay counted (they point to the erased account). The
private texts (the description of an appeal that was not public, what
the person wrote in messages, the comment of their rating) stay for
PRIVACY_RETENTION_YEARS, then the purge blanks them and deletes the photos
of non-public appeals.
"""

import os

from django.db.models import Q

from citizens.personal_data import PersonalData

from .models import (
    Appeal,
    AppealContact,
    AppealFollower,
    AppealMessage,
    AppealPhoto,
    AppealRating,
    ProposalSupport,
)


def _private(user) -> Q:
    return Q(author=user) & (Q(is_public=False) | Q(category__sensitive=True))


def export(user) -> tuple[dict, dict]:
    files = {}
    appeals = []
    queryset = (
        Appeal.objects.filter(author=user)
        .select_related("category", "department", "rating", "contact")
        .prefetch_related("messages", "photos")
        .order_by("registered_at", "pk")
    )
    for appeal in queryset:
        photos = []
        for photo in appeal.photos.all():
            if photo.added_by_id != user.pk:
                continue
            name = f"{appeal.reference}/{photo.pk}{os.path.splitext(photo.image.name)[1]}"
            files[name] = photo.image
            photos.append(name)
        appeals.append(
            {
                "reference": appeal.reference,
                "kind": appeal.kind,
                "category": str(appeal.category),
                "department": str(appeal.department),
                "title": appeal.title,
                "description": appeal.description,
                "extra_answers": appeal.extra_answers,
                "address": appeal.address,
                # Named by the city's geocoder from the pin (services/places.py).
                "nearest_address": appeal.geocoded_address,
                "latitude": appeal.latitude,
                "longitude": appeal.longitude,
                "public": appeal.is_public,
                "status": appeal.status,
                "author_full_name": appeal.author_full_name,
                "author_residence": appeal.author_residence,
                "priority_category": appeal.priority_category,
                "contact_for_the_answer": (
                    {
                        "phone": str(appeal.contact.phone),
                        "postal_address": appeal.contact.postal_address,
                        "email": appeal.contact.email,
                    }
                    if hasattr(appeal, "contact")
                    else None
                ),
                "registered_at": appeal.registered_at,
                "deadline": appeal.deadline,
                "answered_at": appeal.answered_at,
                "closed_at": appeal.closed_at,
                "messages": [
                    {
                        "type": m.type,
                        "mine": m.author_id == user.pk,
                        "text": m.text,
                        "created_at": m.created_at,
                    }
                    for m in appeal.messages.all()
                ],
                "photos": photos,
                "rating": (
                    {"score": appeal.rating.score, "comment": appeal.rating.comment}
                    if hasattr(appeal, "rating")
                    else None
                ),
            }
        )
    return {
        "appeals": appeals,
        "following": list(
            AppealFollower.objects.filter(user=user)
            .order_by("created_at")
            .values_list("appeal__reference", flat=True)
        ),
        "supported": list(
            ProposalSupport.objects.filter(user=user)
            .order_by("created_at")
            .values_list("appeal__reference", flat=True)
        ),
    }, files


def erase(user) -> None:
    Appeal.objects.filter(author=user).update(author_full_name="", author_residence="")
    AppealContact.objects.filter(appeal__author=user).delete()
    AppealFollower.objects.filter(user=user).delete()


def purge(user) -> None:
    private = Appeal.objects.filter(_private(user))
    for photo in AppealPhoto.objects.filter(appeal__in=private):
        photo.image.delete(save=False)
        photo.delete()
    private.exclude(description="").update(description="", extra_answers={}, search_text="")
    AppealMessage.objects.filter(author=user).exclude(text="").update(text="")
    AppealRating.objects.filter(appeal__author=user).exclude(comment="").update(comment="")


ENTRY = PersonalData(name="appeals", export=export, erase=erase, purge=purge)
