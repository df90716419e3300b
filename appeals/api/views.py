"""The appeals resources of /api/v1/: categories, appeals, proposals and supports.

Thin views, as the web ones: reads go through the same querysets and
selectors (public() for lists, get_appeal_for_user for one appeal: 404 for
everything a person may not see), writes through the web form's cleaning
and the same service functions. An AppealError becomes a 400 with its
message in the caller's language.
"""

import hashlib
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from mycity import pagecache
from mycity.lib import references
from mycity.lib.api import FileNegotiation
from mycity.lib.cache import recomputed_once
from mycity.lib.downloads import private_file_response
from mycity.lib.etags import conditional_data
from mycity.lib.ratelimit import rate_limited
from mycity.lib.replica import replica

from .. import selectors
from ..forms import PUBLIC, QUESTION_PREFIX, AppealForm
from ..models import Appeal, Category, CategoryQuestion, Kind
from ..services import AppealError, appeal_submit
from ..services.following import appeal_add_info, appeal_follow, appeal_unfollow
from ..services.proposals import proposal_support, proposal_unsupport
from ..views.files import photo_response
from ..views.following import AddInfoForm
from . import serializers as s
from .filters import AppealFilter

REFERENCE = references.pattern()
# Public lists are the same for everyone who asks the same question in the
# same language: answered from the shared cache for a minute, as the web list.
LIST_CACHE_SECONDS = 60
# 400: {"detail": "…"} from a service's refusal, or the form's errors by field.
ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Errors by field, or detail."),
    404: s.ErrorSerializer,
}


def _refused(exc: AppealError):
    return ValidationError({"detail": str(exc)})


class CachedPublicList:
    """list() answered from the shared cache for a minute, per question and language."""

    def list(self, request, *args, **kwargs):
        question = urlencode(sorted(request.query_params.lists()), doseq=True)
        origin = f"{request.scheme}://{request.get_host()}"
        digest = hashlib.sha256(f"{origin}?{question}".encode()).hexdigest()[:32]
        # With the appeals' version: a hidden or moderated appeal leaves the list at once.
        version = pagecache.version("appeals")
        key = f"api:{self.basename}:{version}:{get_language()}:{digest}"
        # One request computes a due copy while the others answer with the previous one.
        answer = super().list
        data = recomputed_once(
            key, LIST_CACHE_SECONDS, lambda: answer(request, *args, **kwargs).data
        )
        return Response(data)


class NearestFirst:
    """A list asked for `near` a point is read from the smallest circle that holds its page."""

    def get_narrowings(self, queryset):
        # The filter has already been applied to `queryset` and accepted the parameters.
        filterset = self.filterset_class(self.request.query_params, queryset=queryset)
        return filterset.near_rings(queryset)


IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    location=OpenApiParameter.HEADER,
    description=_lazy("The ETag of the last answer: 304 if nothing changed."),
)
NOT_MODIFIED = OpenApiResponse(description=_lazy("Nothing changed since the ETag sent."))


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """Active categories with their extra questions; `kind` keeps those that take that kind.

    Both answers carry an ETag of their content (304 for an unchanged If-None-Match).
    """

    serializer_class = s.CategorySerializer
    lookup_field = "slug"
    pagination_class = None
    filterset_fields = []

    @extend_schema(
        parameters=[IF_NONE_MATCH],
        responses={200: s.CategorySerializer(many=True), 304: NOT_MODIFIED},
    )
    def list(self, request, *args, **kwargs):
        return conditional_data(request, super().list(request, *args, **kwargs).data)

    @extend_schema(
        parameters=[IF_NONE_MATCH],
        responses={200: s.CategorySerializer, 304: NOT_MODIFIED, 404: s.ErrorSerializer},
    )
    def retrieve(self, request, *args, **kwargs):
        return conditional_data(request, super().retrieve(request, *args, **kwargs).data)

    def get_queryset(self):
        return (
            Category.objects.filter(is_active=True)
            .select_related("group")
            .prefetch_related(
                Prefetch("questions", CategoryQuestion.objects.order_by("ordering", "pk")),
                "questions__choices",
            )
        )


class AppealViewSet(CachedPublicList, NearestFirst, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Public appeals (accepted, public, not sensitive); one's own and followed ones."""

    lookup_field = "reference"
    lookup_value_regex = REFERENCE
    filterset_class = AppealFilter

    def get_queryset(self):
        public = Appeal.objects.public()
        return (
            # The list may lag a replica's second; one appeal is read from the primary.
            (replica(public) if self.action == "list" else public)
            .select_related("category", "district")
            .defer("description", "search_text", "extra_answers")
            .order_by("-registered_at", "-pk")
        )

    def get_serializer_class(self):
        return {
            "retrieve": s.AppealDetailSerializer,
            "create": s.AppealCreateSerializer,
            "mine": s.MyAppealSerializer,
            "info": s.AddInfoSerializer,
        }.get(self.action, s.AppealListSerializer)

    def get_permissions(self):
        if self.action in ("mine", "following", "follow", "support", "info", "create"):
            return [IsAuthenticated()]
        return super().get_permissions()

    def _appeal(self) -> Appeal:
        # Http404 for whoever may not see it; DRF answers it as a 404.
        return selectors.get_appeal_for_user(self.request.user, self.kwargs["reference"])

    @extend_schema(responses={200: s.AppealDetailSerializer, 404: s.ErrorSerializer})
    def retrieve(self, request, reference=None):
        appeal = self._appeal()
        appeal.page = selectors.appeal_page(appeal)
        return Response(s.AppealDetailSerializer(appeal, context={"request": request}).data)

    @extend_schema(
        request=s.AppealCreateSerializer,
        responses={201: s.AppealDetailSerializer, 200: s.AppealDetailSerializer, **ERRORS},
    )
    @rate_limited("appeal")
    def create(self, request):
        """File an appeal: the web form's checks, then appeal_submit (it waits for moderation)."""
        shape = s.AppealCreateSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        data = shape.validated_data
        kind = data["kind"]
        category = (
            Category.objects.filter(slug=data["category"], is_active=True)
            .prefetch_related("questions__choices")
            .first()
        )
        if kind not in Kind.values:
            raise ValidationError({"kind": [_("Choose what kind of request this is.")]})
        if category is None or not category.accepts(kind):
            raise ValidationError(
                {"category": [_("This category does not take this kind of request.")]}
            )
        form = AppealForm(
            _form_data(data),
            MultiValueDict({"photos": data["photos"]}),
            kind=kind,
            category=category,
            author=request.user,
            ask_details=True,
        )
        if not form.is_valid():
            raise ValidationError(_api_errors(form.errors))
        try:
            appeal, created = appeal_submit(author=request.user, **form.submit_kwargs())
        except AppealError as exc:
            raise _refused(exc) from None
        appeal = selectors.get_appeal_for_user(request.user, appeal.reference)
        appeal.page = selectors.appeal_page(appeal)
        body = s.AppealDetailSerializer(appeal, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(responses=s.MyAppealSerializer(many=True))
    @action(detail=False, methods=["get"], filter_backends=[])
    def mine(self, request):
        """Everything the signed-in person filed, any status, newest first."""
        queryset = selectors.my_appeals(request.user)
        page = self.paginate_queryset(queryset)
        for appeal in page:
            appeal.question_waiting = bool(
                appeal.last_question_at
                and (appeal.last_info_at is None or appeal.last_info_at < appeal.last_question_at)
            )
        data = s.MyAppealSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(responses=s.AppealListSerializer(many=True))
    @action(detail=False, methods=["get"], filter_backends=[])
    def following(self, request):
        """Public appeals the signed-in person follows."""
        page = self.paginate_queryset(selectors.followed_appeals(request.user))
        data = s.AppealListSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(request=s.AddInfoSerializer, responses={200: s.AppealDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    @rate_limited("message")
    def info(self, request, reference=None):
        """The author adds information or photos (appeal_add_info)."""
        appeal = self._appeal()
        shape = s.AddInfoSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        form = AddInfoForm(
            {"text": shape.validated_data["text"]},
            MultiValueDict({"photos": shape.validated_data["photos"]}),
        )
        if not form.is_valid():
            raise ValidationError(_api_errors(form.errors))
        try:
            appeal_add_info(
                appeal=appeal,
                author=request.user,
                text=form.cleaned_data["text"],
                photos=form.cleaned_data["photos"],
            )
        except AppealError as exc:
            raise _refused(exc) from None
        return self.retrieve(request, reference=reference)

    @extend_schema(request=None, responses={200: s.FollowSerializer, **ERRORS})
    @action(detail=True, methods=["post", "delete"])
    def follow(self, request, reference=None):
        """POST follows a public appeal, DELETE stops following (appeal_follow/unfollow)."""
        appeal = self._appeal()
        try:
            if request.method == "POST":
                appeal_follow(appeal=appeal, user=request.user)
            else:
                appeal_unfollow(appeal=appeal, user=request.user)
        except AppealError as exc:
            raise _refused(exc) from None
        followers = appeal.followers
        return Response(
            {
                "following": followers.filter(user=request.user).exists(),
                "follower_count": followers.count(),
            }
        )

    @extend_schema(request=None, responses={200: s.SupportResultSerializer, **ERRORS})
    @action(detail=True, methods=["post", "delete"])
    @rate_limited("support", methods=("POST", "DELETE"))
    def support(self, request, reference=None):
        """POST supports a public proposal, DELETE withdraws (proposal_support/unsupport)."""
        appeal = self._appeal()
        try:
            if request.method == "POST":
                appeal, _counted = proposal_support(appeal=appeal, user=request.user)
            else:
                appeal, _withdrawn = proposal_unsupport(appeal=appeal, user=request.user)
        except AppealError as exc:
            raise _refused(exc) from None
        supported = appeal.supports.filter(user=request.user).exists()
        return Response({"supported": supported, "count": appeal.support_count})

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "pk",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description="The file's id (an answer's attachments give it).",
            )
        ],
        responses={
            (200, "application/pdf", "image/jpeg", "image/png"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment."
            ),
            404: s.ErrorSerializer,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"files/(?P<pk>[0-9]{1,18})",
        url_name="answer-file",
        renderer_classes=[JSONRenderer],
        content_negotiation_class=FileNegotiation,
    )
    def answer_file(self, request, reference=None, pk=None):
        """A file of the official answer, as on the web (404 for whoever may not have it)."""
        attachment = selectors.get_answer_attachment_for_user(request.user, reference, int(pk))
        return private_file_response(
            attachment.file, filename=attachment.name, content_type=attachment.content_type
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "pk",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description="The photo's id (an appeal's photos give it).",
            )
        ],
        responses={
            (200, "image/jpeg"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description=(
                    "The photo. Cache-Control public with an ETag when everyone may see "
                    "it (a public appeal, the photo not hidden), else private, no-store."
                ),
            ),
            304: OpenApiResponse(description="Not modified (If-None-Match)."),
            404: s.ErrorSerializer,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"photos/(?P<pk>[0-9]{1,18})",
        url_name="photo",
        renderer_classes=[JSONRenderer],
        content_negotiation_class=FileNegotiation,
    )
    def photo(self, request, reference=None, pk=None):
        """A photo of the appeal, as on the web (404 for whoever may not see it)."""
        photo = selectors.get_photo_for_user(request.user, reference, int(pk))
        return photo_response(request, photo)


class ProposalViewSet(
    CachedPublicList, NearestFirst, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """Public proposals, the most supported first; support one through /appeals/{ref}/support/."""

    serializer_class = s.AppealListSerializer
    filterset_class = AppealFilter

    def get_queryset(self):
        public = Appeal.objects.public()
        # A resident who has just supported a proposal reads its count from the primary.
        if not self.request.user.is_authenticated:
            public = replica(public)
        return (
            public.filter(kind=Kind.PROPOSAL)
            .select_related("category", "district")
            .defer("description", "search_text", "extra_answers")
            .order_by("-support_count", "-registered_at", "-pk")
        )


def _form_data(data: dict) -> MultiValueDict:
    """The API's fields as the web form's POST data."""
    values = {
        "title": [data["title"]],
        "description": [data["description"]],
        "address": [data.get("address") or ""],
        "visibility": [PUBLIC if data.get("is_public", True) else "private"],
        "idempotency_key": [str(data["idempotency_key"]) if data.get("idempotency_key") else ""],
        "full_name": [data.get("full_name") or ""],
        "residence": [data.get("residence") or ""],
    }
    for name in ("latitude", "longitude"):
        if data.get(name) is not None:
            values[name] = [str(data[name])]
    for code, answer in (data.get("answers") or {}).items():
        answers = answer if isinstance(answer, list) else [answer]
        values[QUESTION_PREFIX + str(code)] = [str(a) for a in answers]
    return MultiValueDict(values)


def _api_errors(errors) -> dict:
    """The web form's errors under the API's field names."""
    renamed = {}
    for field, messages in errors.items():
        if field.startswith(QUESTION_PREFIX):
            # Nested as the body is: the error's path is answers.<question key>.
            renamed.setdefault("answers", {})[field[len(QUESTION_PREFIX) :]] = list(messages)
            continue
        if field == "__all__":
            field = "non_field_errors"
        elif field == "visibility":
            field = "is_public"
        renamed[field] = list(messages)
    return renamed
