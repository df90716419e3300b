"""Native push in the REST API (/api/v1/): the app's devices and the web's VAPID key.

/api/v1/devices/            GET the signed-in person's phones; POST registers one
/api/v1/devices/remove/     POST {"token"}: remove one of them (the app knows its own token)
/api/v1/devices/{id}/       DELETE: remove one of them (another phone, from the list)
/api/v1/push-subscriptions/vapid-key/   GET, public: the key browsers subscribe with

The same service functions as everything else: device_register and
device_remove (citizens.notifications.devices).
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from mycity.lib.api import ModelSerializer, StrictCharField

from .api import RemovedSerializer
from .notifications import devices, push
from .notifications.errors import NotificationError
from .notifications.models import Device


class DeviceSerializer(ModelSerializer):
    """A phone with the app: its push provider's token, the platform and a name."""

    token = serializers.RegexField(
        devices.TOKEN_PATTERN.pattern,
        max_length=devices.TOKEN_MAX_LENGTH,
        write_only=True,
        help_text=_("The registration token the app got from Firebase Cloud Messaging."),
    )
    platform = serializers.ChoiceField(choices=Device.Platform.choices)
    provider = serializers.ChoiceField(choices=Device.Provider.choices, default=Device.Provider.FCM)
    name = StrictCharField(
        max_length=devices.NAME_MAX_LENGTH, required=False, allow_blank=True, default=""
    )

    class Meta:
        model = Device
        fields = ["id", "token", "platform", "provider", "name", "created_at", "last_seen_at"]
        read_only_fields = ["id", "created_at", "last_seen_at"]
        # A known token is not an error: device_register refreshes or moves it.
        validators = []


class DeviceTokenSerializer(serializers.Serializer):
    token = StrictCharField(max_length=devices.TOKEN_MAX_LENGTH)
    provider = serializers.ChoiceField(choices=Device.Provider.choices, default=Device.Provider.FCM)


class DeviceViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The signed-in person's phones with the app: register one, list them, remove one.

    Registering a token again is harmless: it refreshes the device, and a
    token registered by another account moves to this one.
    """

    serializer_class = DeviceSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Device.objects.none()
        return Device.objects.filter(user=self.request.user).order_by("-created_at", "-pk")

    @extend_schema(
        request=DeviceSerializer,
        responses={
            201: DeviceSerializer,
            200: OpenApiResponse(DeviceSerializer, description=_("The token was known.")),
        },
    )
    def create(self, request):
        shape = DeviceSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        data = shape.validated_data
        try:
            device, created = devices.device_register(
                user=request.user,
                token=data["token"],
                platform=data["platform"],
                provider=data["provider"],
                name=data.get("name", ""),
            )
        except NotificationError as exc:
            raise ValidationError({"detail": str(exc)}) from None
        return Response(
            DeviceSerializer(device).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=DeviceTokenSerializer, responses={200: RemovedSerializer})
    @action(detail=False, methods=["post"])
    def remove(self, request):
        """Remove a phone by its token (someone else's is never touched: 404)."""
        shape = DeviceTokenSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        removed = devices.device_remove(
            user=request.user,
            token=shape.validated_data["token"],
            provider=shape.validated_data["provider"],
        )
        if not removed:
            raise NotFound(_("This device is not in your list."))
        return Response({"removed": True})

    def perform_destroy(self, instance):
        devices.device_remove(
            user=self.request.user, token=instance.token, provider=instance.provider
        )


class VapidKeySerializer(serializers.Serializer):
    public_key = StrictCharField(
        help_text=_("The applicationServerKey for PushManager.subscribe() (base64url).")
    )


class VapidKeyView(APIView):
    """The site's VAPID public key for web push; 404 when web push is not offered."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="push_subscriptions_vapid_key",
        responses={
            200: VapidKeySerializer,
            404: OpenApiResponse(description=_("Web push is not offered on this site.")),
        },
    )
    def get(self, request):
        if not push.is_configured():
            raise NotFound(_("Push notifications are not available on this site."))
        return Response({"public_key": settings.VAPID_PUBLIC_KEY})
