from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.html import format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from mycity.lib.admin import ReadOnlyAdminMixin

from . import services
from .access import has_staff_powers
from .models import AccessChange, ContactDisclosure, PriorityStatus, User

# Only superusers change these; everyone else sees them read-only, and a POST
# that carries them anyway is refused (UserAdmin.changeform_view).
SUPERUSER_ONLY_FIELDS = ("is_staff", "is_superuser", "user_permissions")


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
    list_filter = [
        "is_verified_resident",
        "is_staff",
        "is_active",
        ("erased_at", admin.EmptyFieldListFilter),
        "groups",
        "district",
    ]
    search_fields = ["email", "full_name", "display_name", "phone"]
    list_select_related = ["district"]
    readonly_fields = [
        "is_verified_resident",
        "verified_at",
        "verified_by",
        "last_login",
        "date_joined",
        "privacy_version",
        "privacy_accepted_at",
        "erased_at",
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
        (
            _("Personal data"),
            {"fields": ["privacy_version", "privacy_accepted_at", "erased_at"]},
        ),
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

    # --- who may change whose access ---

    def has_change_permission(self, request, obj=None):
        # A superuser's account (e-mail, password, roles) is changed only by a superuser.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        # Setting someone else's password takes their account over: superusers only.
        if not request.user.is_superuser and str(request.user.pk) != unquote(id):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def _locked_access_fields(self, request, obj) -> list[str]:
        if request.user.is_superuser:
            return []
        locked = list(SUPERUSER_ONLY_FIELDS)
        if obj is None or not services.may_change_roles(actor=request.user, person=obj):
            locked.append("groups")
        if obj is not None:
            # The sign-in address of an existing account: whoever could change it
            # could reset the password and take the account over (a resident's
            # private requests, a colleague's powers).
            locked.append("email")
        return locked

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + [f for f in self._locked_access_fields(request, obj) if f not in readonly]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = services.role_groups()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and not request.user.is_superuser:
            obj = self.get_object(request, unquote(object_id)) if object_id else None
            self._refuse_crafted_access(request, obj)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _refuse_crafted_access(self, request, obj):
        """The form never sends a field it shows read-only: a POST that does is refused."""
        locked = self._locked_access_fields(request, obj)
        if obj is None:
            locked.append("groups")  # new accounts get their roles on the change page
        if any(field in request.POST for field in locked):
            raise PermissionDenied
        allowed = {str(pk) for pk in services.role_groups().values_list("pk", flat=True)}
        if not set(request.POST.getlist("groups")) <= allowed:
            raise PermissionDenied

    def save_model(self, request, obj, form, change):
        # Access goes through services.user_set_access (rules + audit), not the form's save.
        flags = {f: form.cleaned_data[f] for f in ("is_staff", "is_superuser") if f in form.fields}
        if change:
            current = User.objects.only("is_staff", "is_superuser").get(pk=obj.pk)
            for field in ("is_staff", "is_superuser"):
                setattr(obj, field, getattr(current, field))
        else:
            obj.is_staff = obj.is_superuser = False
        form._access = flags
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        access = dict(getattr(form, "_access", {}))
        for field in ("groups", "user_permissions"):
            if field in form.cleaned_data:
                access[field] = list(form.cleaned_data.pop(field))
        super().save_related(request, form, formsets, change)
        if "groups" in access and not request.user.is_superuser:
            # Groups other than the staff roles are not on the form: keep them as they are.
            others = form.instance.groups.exclude(pk__in=services.role_groups())
            access["groups"] += list(others)
        try:
            services.user_set_access(user=form.instance, by=request.user, **access)
        except services.CitizenError as error:
            raise PermissionDenied(str(error)) from error

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if "field_name" in request.GET:
            # An autocomplete of another admin (a department's head): it picks staff,
            # so it never searches or shows residents.
            queryset = queryset.filter(is_staff=True, is_active=True)
        return queryset, may_have_duplicates


class ReadOnlyForSuperusers(ReadOnlyAdminMixin, admin.ModelAdmin):
    """An append-only record: superusers read it; nobody adds, changes or deletes rows."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(AccessChange)
class AccessChangeAdmin(ReadOnlyForSuperusers):
    list_display = [
        "created_at",
        "actor_label",
        "person_label",
        "what",
        "department",
        "change_shown",
    ]
    list_filter = ["what"]
    search_fields = ["actor_label", "person_label"]
    list_select_related = ["department"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "actor",
        "actor_label",
        "person",
        "person_label",
        "what",
        "department",
        "before",
        "after",
    ]
    readonly_fields = fields

    @admin.display(description=_("change"))
    def change_shown(self, obj):
        return format_html_join(" → ", "{}", ((shown(obj.before),), (shown(obj.after),)))


def shown(value) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    return "—" if value is None else str(value)


@admin.register(ContactDisclosure)
class ContactDisclosureAdmin(ReadOnlyForSuperusers):
    list_display = ["created_at", "viewer_label", "person_label", "case"]
    search_fields = ["viewer_label", "person_label", "case"]
    date_hierarchy = "created_at"
    fields = ["created_at", "viewer", "viewer_label", "person", "person_label", "case"]
    readonly_fields = fields


from . import admin_notifications  # noqa: E402, F401


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for refusal"), max_length=300)


@admin.register(PriorityStatus)
class PriorityStatusAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Staff who verify priority statuses (Art. 20) decide here; the service records who, when."""

    list_display = ["user", "category", "document", "declared_at", "decision", "decided_by"]
    list_filter = ["decision", "category"]
    list_select_related = ["user", "decided_by"]
    readonly_fields = [
        "user",
        "category",
        "document",
        "declared_at",
        "decision",
        "decided_at",
        "decided_by",
        "refusal_reason",
    ]
    actions = ["verify", "refuse"]

    def has_module_permission(self, request):
        return has_staff_powers(request.user) and self.has_verify_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_verify_permission(self, request):
        return request.user.has_perm("citizens.verify_priority_status")

    def _decide(self, request, queryset, *, verified: bool, reason: str = ""):
        done = 0
        for status in queryset:
            try:
                services.priority_decide(
                    status=status, by=request.user, verified=verified, reason=reason
                )
            except services.CitizenError as exc:
                self.message_user(request, f"{status.user}: {exc}", messages.ERROR)
            else:
                done += 1
        self.message_user(
            request,
            ngettext("%d status decided.", "%d statuses decided.", done) % done,
            messages.SUCCESS,
        )

    @admin.action(description=_("Verify the priority status"), permissions=["verify"])
    def verify(self, request, queryset):
        self._decide(request, queryset, verified=True)

    @admin.action(description=_("Refuse the priority status"), permissions=["verify"])
    def refuse(self, request, queryset):
        form = RefuseForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            self._decide(request, queryset, verified=False, reason=form.cleaned_data["reason"])
            return None
        return TemplateResponse(
            request,
            "admin/citizens/prioritystatus/refuse.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": gettext("Refuse the priority status"),
                "form": form,
                "statuses": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )
