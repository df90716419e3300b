from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "district",
        "is_verified_resident",
        "is_staff",
        "is_active",
        "date_joined",
    ]
    list_filter = ["is_verified_resident", "is_staff", "is_active", "groups", "district"]
    search_fields = ["email", "full_name", "display_name", "phone"]
    list_select_related = ["district"]
    readonly_fields = [
        "is_verified_resident",
        "verified_at",
        "verified_by",
        "last_login",
        "date_joined",
    ]
    autocomplete_fields: list[str] = []
    actions = ["verify_residents", "unverify_residents"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Personal information"),
            {"fields": ["full_name", "display_name", "phone", "preferred_language", "district"]},
        ),
        (_("Residency"), {"fields": ["is_verified_resident", "verified_at", "verified_by"]}),
        (
            _("Staff access"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]

    @admin.action(description=_("Mark as verified residents"), permissions=["verify"])
    def verify_residents(self, request, queryset):
        done = sum(services.user_verify_resident(user=u, by=request.user) for u in queryset)
        self.message_user(
            request,
            ngettext("%d person verified.", "%d people verified.", done) % done,
            messages.SUCCESS,
        )

    @admin.action(description=_("Withdraw resident verification"), permissions=["verify"])
    def unverify_residents(self, request, queryset):
        done = sum(services.user_unverify_resident(user=u) for u in queryset)
        self.message_user(
            request,
            ngettext(
                "Verification withdrawn from %d person.",
                "Verification withdrawn from %d people.",
                done,
            )
            % done,
            messages.SUCCESS,
        )

    def has_verify_permission(self, request):
        return request.user.has_perm("citizens.verify_resident")


from . import admin_notifications  # noqa: E402, F401
