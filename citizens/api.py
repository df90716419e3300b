"""The notifications inbox, web push registration and saved places in the REST API (/api/v1/).

The same service functions as the web pages: notification_mark_read,
notifications_mark_all_read, push_subscribe, push_unsubscribe, place_save
and place_delete.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from mycity.lib.api import ModelSerializer, StrictCharField
from mycity.lib.ratelimit import rate_limited

from . import personal_data, places
from .models import SavedPlace
from .notifications import push
from .notifications.models import Notification, PushSubscription
from .notifications.services import (
    NotificationError,
    notification_mark_read,
    notifications_mark_all_read,
)


class NotificationSerializer(ModelSerializer):
    title = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "event",
            "title",
            "text",
            "url",
            "urgent",
            "created_at",
            "read_at",
            "is_read",
        ]

    def get_title(self, notification) -> str:
        return notification.rendered()[0]

    def get_text(self, notification) -> str:
        return notification.rendered()[1]

    def get_is_read(self, notification) -> bool:
        return notification.read_at is not None


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in person's inbox, newest first (`unread=true` for unread only)."""

    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Notification.objects.none()
        queryset = Notification.objects.filter(recipient=self.request.user).order_by(
            "-created_at", "-pk"
        )
        if self.request.query_params.get("unread") in ("true", "1"):
            queryset = queryset.filter(read_at__isnull=True)
        return queryset

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        try:
            number = int(pk)
        except (TypeError, ValueError):
            raise NotFound() from None
        try:
            notification = notification_mark_read(user=request.user, notification_id=number)
        except NotificationError:
            raise NotFound() from None
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses={200: ReadAllSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": notifications_mark_all_read(user=request.user)})


class PushKeysSerializer(serializers.Serializer):
    p256dh = StrictCharField(max_length=200)
    auth = StrictCharField(max_length=100)


class PushSubscriptionSerializer(ModelSerializer):
    """A browser's PushSubscription.toJSON(): endpoint and keys."""

    keys = PushKeysSerializer(write_only=True)
    device = StrictCharField(source="user_agent", read_only=True)

    class Meta:
        model = PushSubscription
        fields = ["id", "endpoint", "keys", "device", "created_at"]
        read_only_fields = ["id", "device", "created_at"]
        extra_kwargs = {"endpoint": {"validators": []}}


class EndpointSerializer(serializers.Serializer):
    endpoint = StrictCharField(max_length=1000)


class RemovedSerializer(serializers.Serializer):
    removed = serializers.BooleanField()


class PushSubscriptionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in person's web push devices: register one, list them, remove one."""

    serializer_class = PushSubscriptionSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return PushSubscription.objects.none()
        return PushSubscription.objects.filter(user=self.request.user).order_by("-created_at")

    @extend_schema(
        request=PushSubscriptionSerializer,
        responses={201: PushSubscriptionSerializer, 200: PushSubscriptionSerializer},
    )
    def create(self, request):
        shape = PushSubscriptionSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        data = shape.validated_data
        try:
            subscription, created = push.push_subscribe(
                user=request.user,
                endpoint=data["endpoint"],
                p256dh=data["keys"]["p256dh"],
                auth=data["keys"]["auth"],
                user_agent=request.headers.get("User-Agent", ""),
            )
        except NotificationError as exc:
            raise ValidationError({"detail": str(exc)}) from None
        return Response(
            PushSubscriptionSerializer(subscription).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=EndpointSerializer, responses={200: RemovedSerializer})
    @action(detail=False, methods=["post"])
    def remove(self, request):
        """Remove a device by its endpoint (someone else's is never touched)."""
        shape = EndpointSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        removed = push.push_unsubscribe(
            user=request.user, endpoint=shape.validated_data["endpoint"]
        )
        if not removed:
            raise NotFound(_("This device is not in your list."))
        return Response({"removed": True})


# --- One's own data (Law "On Personal Data Protection") ---------------------


class PasswordSerializer(serializers.Serializer):
    password = StrictCharField(write_only=True, trim_whitespace=False)


class DataExportSerializer(serializers.Serializer):
    requested = serializers.BooleanField()


class AccountView(APIView):
    """The signed-in person's account: DELETE erases it (the password again, to be sure)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=PasswordSerializer, responses={204: None})
    def delete(self, request):
        shape = PasswordSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        if not request.user.check_password(shape.validated_data["password"]):
            raise ValidationError({"password": [_("The password is not correct.")]})
        try:
            personal_data.user_erase(user=request.user)
        except personal_data.PersonalDataError as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class DataExportView(APIView):
    """POST: prepare an archive of all one's data; a notification brings the link."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={202: DataExportSerializer})
    @rate_limited("data_export")
    def post(self, request):
        try:
            personal_data.data_export_request(user=request.user)
        except personal_data.PersonalDataError as exc:
            raise PermissionDenied(str(exc)) from None
        return Response({"requested": True}, status=status.HTTP_202_ACCEPTED)


# --- Saved places (issue 22) ---------------------------------------------------


class SavedPlaceSerializer(ModelSerializer):
    """A saved place: its name and point; the district is found from the point."""

    label = StrictCharField(max_length=60)
    address = StrictCharField(max_length=255, required=False, allow_blank=True, default="")
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)
    district = serializers.IntegerField(source="district_id", read_only=True)
    district_name = StrictCharField(source="district.name", read_only=True)

    class Meta:
        model = SavedPlace
        fields = [
            "id", "label", "address", "latitude", "longitude", "district", "district_name",
            "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "district", "district_name", "created_at"]


class SavedPlaceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """The signed-in person's saved places (at most SAVED_PLACES_MAX): they are told
    when an outage or an urgent alert covers one. Anyone else's place is a 404."""

    serializer_class = SavedPlaceSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return SavedPlace.objects.none()
        return SavedPlace.objects.filter(user=self.request.user).select_related("district")

    def _save(self, request, place=None, partial=False):
        shape = SavedPlaceSerializer(place, data=request.data, partial=partial)
        shape.is_valid(raise_exception=True)
        data = shape.validated_data
        current = place or SavedPlace()
        try:
            return places.place_save(
                user=request.user,
                label=data.get("label", current.label),
                address=data.get("address", current.address),
                latitude=data.get("latitude", current.latitude),
                longitude=data.get("longitude", current.longitude),
                place=place,
            )
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            raise ValidationError(detail) from None

    @extend_schema(request=SavedPlaceSerializer, responses={201: SavedPlaceSerializer})
    def create(self, request):
        place = self._save(request)
        return Response(SavedPlaceSerializer(place).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SavedPlaceSerializer, responses={200: SavedPlaceSerializer})
    def update(self, request, pk=None):
        place = self._save(request, self.get_object())
        return Response(SavedPlaceSerializer(place).data)

    @extend_schema(request=SavedPlaceSerializer, responses={200: SavedPlaceSerializer})
    def partial_update(self, request, pk=None):
        place = self._save(request, self.get_object(), partial=True)
        return Response(SavedPlaceSerializer(place).data)

    def perform_destroy(self, instance):
        places.place_delete(user=self.request.user, place_id=instance.pk)
