from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from .notifications.events import CITIZENS_EVENTS


class CitizensConfig(AppConfig):
    name = "citizens"
    verbose_name = _("People")

    notification_events = CITIZENS_EVENTS

    # The outbox's overview and the priority lane's warning on the admin's
    # front page (citizens.staff_tasks).
    staff_overview = "citizens.admin_home.staff_overview"

    # Rows shown on their people's own kept pages (citizens/pagecache.py): a
    # change drops those pages. Each path leads from the row to a user's id.
    personal_rows = {
        "User": ["pk"],
        "Notification": ["recipient_id"],
        "NotificationSettings": ["user_id"],
        "NotificationPreference": ["user_id"],
        "PushSubscription": ["user_id"],
        "Device": ["user_id"],
        "TelegramLink": ["user_id"],
        "PhoneVerification": ["user_id"],
        "PriorityStatus": ["user_id"],
        "SavedPlace": ["user_id"],
        "DataExport": ["user_id"],
        "account.EmailAddress": ["user_id"],
        "mfa.Authenticator": ["user_id"],
    }

    # Permissions this app grants to each staff role; feature apps declare
    # their own the same way on their AppConfig (see citizens.roles).
    # The user list (every resident's contacts) is for superusers and City
    # administrators only: other staff see a resident's contacts on the page of
    # the case they handle (citizens.services.contacts_disclose).
    role_permissions = {
        # Art. 20 priority statuses: moderators verify them (least privilege: no user list).
        "moderator": ["citizens.view_prioritystatus", "citizens.verify_priority_status"],
        "department_staff": ["mycity.view_department"],
        "department_head": ["mycity.view_department"],
        "service_officer": ["citizens.verify_resident"],
        "city_admin": [
            "citizens.view_user",
            "citizens.change_user",
            "citizens.verify_resident",
            "mycity.add_district",
            "mycity.change_district",
            "mycity.view_district",
            "mycity.add_department",
            "mycity.change_department",
            "mycity.view_department",
            "auth.view_group",
            "citizens.view_delivery",
            "citizens.change_delivery",
            "citizens.view_notification",
            "citizens.view_broadcast",
        ],
    }

    def ready(self):
        from allauth.mfa import signals as mfa_signals

        from . import access, pagecache, personal_data, roles  # noqa: F401  (personal_data registers itself)

        pagecache.connect_models()

        mfa_signals.authenticator_added.connect(
            access.on_authenticator_added, dispatch_uid="citizens.access.added"
        )
        mfa_signals.authenticator_removed.connect(
            access.on_authenticator_removed, dispatch_uid="citizens.access.removed"
        )

        # Groups are infrastructure like permissions: kept in step after every migrate.
        post_migrate.connect(roles.sync_after_migrate, dispatch_uid="citizens.roles_sync")
