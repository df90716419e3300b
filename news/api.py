"""The news resources of the REST API v1 (/api/v1/), registered in mycity/api_urls.py.

Thin views over the same querysets, selectors and service functions as the
web pages: the news list is `NewsItem.objects.published()` in the web
list's order and cached under the same items version (so a hit costs no
query), one item is looked up by either language's slug as on the web page,
the active alerts are the banner's cached set (news/live.py) with the same
ETag source as /alerts/live/ (an unchanged list answers 304 from one cache
read), one alert is what /alerts/<id>/ shows (never a draft), and the
subscription is cleaned by the web settings form and saved by
subscription_set.
"""

import hashlib
from urllib.parse import urlencode

import django_filters
from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from mycity.lib.api import ModelSerializer, StrictCharField
from mycity.lib.etags import conditional, conditional_data
from mycity.lib.filters import SlugFilter
from mycity.models import District

from . import live
from .forms import SubscriptionForm
from .images import widths_of
from .models import Alert, AlertKind, AlertUpdate, NewsItem, Severity, Topic
from .services import NewsError, items_version, subscription_get, subscription_set
from .views.items import filter_choices, ttl_until_next_scheduled

SLUG = r"[-a-zA-Z0-9_]+"
# The alert list's body per ETag: a change of any alert changes the ETag, so
# the entry is only a guard against a lost refresh.
ALERTS_CACHE_SECONDS = 60
RECENT_SIZE = 30  # as the /alerts/ page
LEVELS = {Severity.INFO: "info", Severity.WARNING: "warning", Severity.CRITICAL: "critical"}


# --- Shapes --------------------------------------------------------------------


class NewsErrorSerializer(serializers.Serializer):
    detail = StrictCharField()


ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Errors by field, or detail."),
}


class AlertKindField(serializers.ChoiceField):
    """An alert kind (the enum AlertKindEnum, settings.SPECTACULAR_SETTINGS)."""

    def __init__(self, **kwargs):
        super().__init__(choices=AlertKind.choices, **kwargs)


@extend_schema_field({"type": "integer", "enum": list(Severity.values)})
class SeverityField(serializers.IntegerField):
    """1 information, 2 warning, 3 critical."""


class NewsDistrictSerializer(serializers.Serializer):
    slug = StrictCharField()
    name = StrictCharField()


class NewsTopicSerializer(ModelSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "name"]


class NewsCoverSizeSerializer(serializers.Serializer):
    width = serializers.IntegerField()
    url = StrictCharField()


class NewsCoverSerializer(serializers.Serializer):
    url = StrictCharField(help_text=gettext_lazy("The 960 px rendition (or the largest)."))
    alt = StrictCharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    sizes = NewsCoverSizeSerializer(
        many=True, help_text=gettext_lazy("Every rendition, narrowest first (for srcset).")
    )


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None else url


def _districts(districts) -> list[dict]:
    return [{"slug": d.slug, "name": d.name} for d in districts]


class NewsItemListSerializer(ModelSerializer):
    topic = NewsTopicSerializer()
    districts = serializers.SerializerMethodField(
        help_text=gettext_lazy("Empty: news about the whole city.")
    )
    cover = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text=gettext_lazy("The item's web page."))

    class Meta:
        model = NewsItem
        fields = [
            "slug",
            "title",
            "lead",
            "topic",
            "districts",
            "pinned",
            "published_at",
            "cover",
            "url",
        ]

    @extend_schema_field(NewsDistrictSerializer(many=True))
    def get_districts(self, item):
        return _districts(item.districts.all())

    @extend_schema_field(NewsCoverSerializer(allow_null=True))
    def get_cover(self, item):
        sizes = item.cover_sizes or {}
        widths = widths_of(sizes)
        if not widths:
            return None
        request = self.context.get("request")
        return {
            "url": _absolute(request, item.cover_url()),
            "alt": item.cover_alt or "",
            "width": sizes.get("w"),
            "height": sizes.get("h"),
            "sizes": [{"width": w, "url": _absolute(request, item.cover_url(w))} for w in widths],
        }

    def get_url(self, item) -> str:
        return _absolute(self.context.get("request"), item.get_absolute_url())


class NewsItemDetailSerializer(NewsItemListSerializer):
    body_html = StrictCharField(
        help_text=gettext_lazy("The body as the web page shows it: sanitised HTML.")
    )

    class Meta(NewsItemListSerializer.Meta):
        fields = [*NewsItemListSerializer.Meta.fields, "body_html", "updated_at"]


class NewsAlertUpdateSerializer(ModelSerializer):
    class Meta:
        model = AlertUpdate
        fields = ["text", "created_at"]


class NewsAlertSerializer(ModelSerializer):
    kind = AlertKindField()
    kind_label = StrictCharField(source="get_kind_display")
    icon = StrictCharField()
    severity = SeverityField()
    severity_label = StrictCharField(source="get_severity_display")
    level = serializers.SerializerMethodField(help_text=gettext_lazy("info, warning or critical."))
    districts = serializers.SerializerMethodField(
        help_text=gettext_lazy("The affected districts; empty with whole_city.")
    )
    geometry = serializers.SerializerMethodField(
        help_text=gettext_lazy("The map area or points: a GeoJSON FeatureCollection, or null.")
    )
    is_active = serializers.SerializerMethodField()
    is_resolved = serializers.SerializerMethodField()
    updates = NewsAlertUpdateSerializer(many=True, help_text=gettext_lazy("Newest first."))
    url = serializers.SerializerMethodField(help_text=gettext_lazy("The alert's web page."))

    class Meta:
        model = Alert
        fields = [
            "id",
            "kind",
            "kind_label",
            "icon",
            "severity",
            "severity_label",
            "level",
            "title",
            "text",
            "whole_city",
            "districts",
            "geometry",
            "starts_at",
            "ends_at",
            "published_at",
            "updated_at",
            "resolved_at",
            "is_active",
            "is_resolved",
            "updates",
            "url",
        ]

    def get_level(self, alert) -> str:
        return LEVELS.get(alert.severity, "info")

    @extend_schema_field(NewsDistrictSerializer(many=True))
    def get_districts(self, alert):
        return _districts(alert.districts.all())

    @extend_schema_field({"type": "object", "nullable": True, "additionalProperties": True})
    def get_geometry(self, alert):
        return alert.geometry or None

    def get_is_active(self, alert) -> bool:
        return alert.is_active()

    def get_is_resolved(self, alert) -> bool:
        return alert.status == Alert.Status.RESOLVED

    def get_url(self, alert) -> str:
        return _absolute(self.context.get("request"), alert.get_absolute_url())


class NewsSubscriptionSerializer(serializers.Serializer):
    """What a resident chose on /news/subscriptions/; topics and districts by slug."""

    digest = serializers.BooleanField(help_text=gettext_lazy("The daily news digest."))
    digest_topics = serializers.ListField(
        child=StrictCharField(), help_text=gettext_lazy("None: every topic.")
    )
    digest_districts = serializers.ListField(
        child=StrictCharField(), help_text=gettext_lazy("None: the whole city.")
    )
    alert_districts = serializers.ListField(
        child=StrictCharField(),
        help_text=gettext_lazy("Alerts also for these districts (besides the home district)."),
    )
    muted_kinds = serializers.ListField(
        child=AlertKindField(),
        help_text=gettext_lazy("Kinds of non-critical alerts not to be notified about."),
    )
    home_district = NewsDistrictSerializer(allow_null=True, read_only=True)


class NewsSubscriptionInputSerializer(serializers.Serializer):
    """The shape only; the values are checked by the web settings form."""

    digest = serializers.BooleanField(default=False)
    digest_topics = serializers.ListField(
        child=StrictCharField(max_length=60), max_length=200, default=list
    )
    digest_districts = serializers.ListField(
        child=StrictCharField(max_length=60), max_length=200, default=list
    )
    alert_districts = serializers.ListField(
        child=StrictCharField(max_length=60), max_length=200, default=list
    )
    muted_kinds = serializers.ListField(
        child=StrictCharField(max_length=30), max_length=50, default=list
    )


class _SubscriptionBySlugForm(SubscriptionForm):
    """The web settings form, with topics and districts named by slug instead of id."""

    SLUG_FIELDS = ("digest_topics", "digest_districts", "alert_districts")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.SLUG_FIELDS:
            self.fields[name].to_field_name = "slug"


def district_pk(slug: str) -> int | None:
    """A district's id by slug: from the web list's cached choices, else (a new one) the table."""
    found = filter_choices()["district_ids"].get(slug)
    if found is None:
        found = District.objects.filter(slug=slug).values_list("pk", flat=True).first()
    return found


# --- Filters -------------------------------------------------------------------


class NewsFilter(django_filters.FilterSet):
    """The web list's filters: a topic, and a district (its items and the whole city's)."""

    topic = SlugFilter(field_name="topic__slug", label=gettext_lazy("Topic"))
    district = SlugFilter(method="filter_district", label=gettext_lazy("District"))

    class Meta:
        model = NewsItem
        fields = []

    def filter_district(self, queryset, name, value):
        district_id = district_pk(value)
        if district_id is None:
            return queryset.none()
        return queryset.in_district(district_id)


# --- Views ---------------------------------------------------------------------

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    location=OpenApiParameter.HEADER,
    description=gettext_lazy("The ETag of the last answer: 304 if nothing changed."),
)
NOT_MODIFIED = OpenApiResponse(description=gettext_lazy("Nothing changed since the ETag sent."))


def _question_key(request) -> str:
    """The question asked (query and origin), hashed: the same answer for everyone."""
    question = urlencode(sorted(request.query_params.lists()), doseq=True)
    origin = f"{request.scheme}://{request.get_host()}"
    return hashlib.sha256(f"{origin}?{question}".encode()).hexdigest()[:32]


class TopicViewSet(viewsets.ReadOnlyModelViewSet):
    """News topics, in the editors' order."""

    serializer_class = NewsTopicSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG
    pagination_class = None
    filterset_fields = []
    queryset = Topic.objects.all()


class NewsItemViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Published news, pinned and newest first, as the web list; the reader's subscription."""

    lookup_field = "slug"
    lookup_value_regex = SLUG
    filterset_class = NewsFilter

    def get_queryset(self):
        return (
            NewsItem.objects.published(getattr(self, "now", None))
            .select_related("topic")
            .prefetch_related("districts")
            .defer("body_uk", "body_en", "body_html_uk", "body_html_en")
            .in_order()
        )

    def get_serializer_class(self):
        if self.action == "retrieve":
            return NewsItemDetailSerializer
        if self.action == "subscription":
            return NewsSubscriptionSerializer
        return NewsItemListSerializer

    @extend_schema(
        parameters=[IF_NONE_MATCH],
        responses={200: NewsItemListSerializer(many=True), 304: NOT_MODIFIED},
    )
    def list(self, request, *args, **kwargs):
        """Answered from the shared cache until the news change or a scheduled item goes live;
        with an ETag (304 when unchanged)."""
        key = f"api:news:{items_version()}:{get_language()}:{_question_key(request)}"
        data = cache.get(key)
        if data is None:
            self.now = timezone.now()
            data = super().list(request, *args, **kwargs).data
            cache.set(key, data, ttl_until_next_scheduled(self.now))
        return conditional_data(request, data)

    @extend_schema(
        parameters=[IF_NONE_MATCH],
        responses={200: NewsItemDetailSerializer, 304: NOT_MODIFIED, 404: NewsErrorSerializer},
    )
    def retrieve(self, request, slug=None):
        """One published item, by the slug of either language (as /news/<slug>/)."""
        item = (
            NewsItem.objects.published()
            .select_related("topic")
            .prefetch_related("districts")
            .filter(Q(slug_uk=slug) | Q(slug_en=slug))
            .first()
        )
        if item is None:
            raise Http404
        data = NewsItemDetailSerializer(item, context={"request": request}).data
        return conditional_data(request, data)

    @extend_schema(methods=["GET"], request=None, responses={200: NewsSubscriptionSerializer})
    @extend_schema(
        methods=["PUT"],
        request=NewsSubscriptionInputSerializer,
        responses={200: NewsSubscriptionSerializer, **ERRORS},
    )
    @action(
        detail=False,
        methods=["get", "put"],
        permission_classes=[IsAuthenticated],
        filter_backends=[],
        pagination_class=None,
    )
    def subscription(self, request):
        """The digest topics and districts, extra alert districts and muted kinds (PUT replaces)."""
        if request.method == "PUT":
            shape = NewsSubscriptionInputSerializer(data=request.data)
            shape.is_valid(raise_exception=True)
            form = _SubscriptionBySlugForm(_form_data(shape.validated_data))
            if not form.is_valid():
                raise ValidationError({name: list(errs) for name, errs in form.errors.items()})
            try:
                subscription_set(user=request.user, **form.cleaned_data)
            except NewsError as exc:
                raise ValidationError({"detail": str(exc)}) from None
        return Response(_subscription_data(request.user))


def _form_data(data: dict) -> MultiValueDict:
    """The API's fields as the web form's POST data (a checkbox is absent when off)."""
    values = {name: [str(v) for v in data[name]] for name in _SubscriptionBySlugForm.SLUG_FIELDS}
    values["muted_kinds"] = [str(v) for v in data["muted_kinds"]]
    if data["digest"]:
        values["digest"] = ["on"]
    return MultiValueDict(values)


def _subscription_data(user) -> dict:
    sub = subscription_get(user=user)
    home = user.district
    data = {
        "digest": False,
        "digest_topics": [],
        "digest_districts": [],
        "alert_districts": [],
        "muted_kinds": [],
        "home_district": {"slug": home.slug, "name": home.name} if home else None,
    }
    if sub is not None:
        data.update(
            digest=sub.digest,
            digest_topics=[t.slug for t in sub.digest_topics.all()],
            digest_districts=[d.slug for d in sub.digest_districts.all()],
            alert_districts=[d.slug for d in sub.alert_districts.all()],
            muted_kinds=sub.muted_kind_list,
        )
    return data


DISTRICT = OpenApiParameter(
    "district",
    str,
    description=gettext_lazy(
        "A district's slug: its alerts and the whole city's (all alerts without it)."
    ),
)


class AlertViewSet(viewsets.GenericViewSet):
    """The active urgent alerts (the banner's), and one alert as its web page shows it."""

    serializer_class = NewsAlertSerializer
    lookup_value_regex = r"[0-9]{1,10}"
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        updates = Prefetch("updates", AlertUpdate.objects.order_by("-created_at", "-pk"))
        return Alert.objects.public().prefetch_related("districts", updates)

    def _district_id(self, request) -> int | None:
        slug = request.query_params.get("district")
        if not slug:
            return None
        district_id = district_pk(slug)
        if district_id is None:
            raise ValidationError({"district": [_("Unknown district.")]})
        return district_id

    @extend_schema(
        parameters=[DISTRICT, IF_NONE_MATCH],
        responses={
            200: NewsAlertSerializer(many=True),
            304: NOT_MODIFIED,
            **ERRORS,
        },
    )
    def list(self, request):
        """Active alerts, most severe and newest first, with an ETag (304 when unchanged)."""
        district_id = self._district_id(request)
        language = get_language()
        rows = live.visible_alerts(district_id=district_id, language=language)
        # The banner's ETag source, in a namespace of its own: the body is not the banner's.
        etag = live.etag_for(rows, f"api-v1:{language}", district_id)

        def build():
            key = f"api:alerts:{etag}:{_question_key(request)}"
            data = cache.get(key)
            if data is None:
                data = self._active(request, [row["id"] for row in rows])
                cache.set(key, data, ALERTS_CACHE_SECONDS)
            return data

        return conditional(request, etag, build)

    def _active(self, request, ids):
        if not ids:
            return []
        found = {a.pk: a for a in self.get_queryset().active().filter(pk__in=ids)}
        alerts = [found[pk] for pk in ids if pk in found]  # the banner's order
        return NewsAlertSerializer(alerts, many=True, context={"request": request}).data

    @extend_schema(responses=NewsAlertSerializer(many=True))
    @action(detail=False, methods=["get"])
    def recent(self, request):
        """Alerts over in the last seven days (resolved or past their end), as on /alerts/."""
        alerts = self.get_queryset().recent().order_by("-updated_at", "-pk")[:RECENT_SIZE]
        return Response(NewsAlertSerializer(alerts, many=True, context={"request": request}).data)

    @extend_schema(responses={200: NewsAlertSerializer, 404: NewsErrorSerializer})
    def retrieve(self, request, pk=None):
        """One alert, active or over (never a draft), with its updates, as /alerts/<id>/."""
        alert = self.get_object()
        return Response(NewsAlertSerializer(alert, context={"request": request}).data)
