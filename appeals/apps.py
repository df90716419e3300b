from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from citizens.notifications.bot_commands import BotCommand, BotFlow
from citizens.notifications.events import EMAIL, REQUESTS, TELEGRAM, WEBPUSH, EventType
from citizens.staff_tasks import StaffTask


class AppealsConfig(AppConfig):
    name = "appeals"
    verbose_name = _("Requests")
    # Public figures and open data (mycity/transparency.py; stats publishes them).
    figure_sources = ["appeals.transparency.APPEALS", "appeals.transparency.PROPOSALS"]
    open_datasets = ["appeals.transparency.PUBLIC_APPEALS"]
    # Anonymous visitors' copies of these pages are kept (mycity/pagecache.py).
    cached_pages = ["/requests/", "!/requests/new/", "!/requests/similar/", "/proposals/"]
    # Rows no public page shows: their changes keep the kept pages.
    private_models = [
        "ApiClient",
        "Open311Submission",
        "AppealContact",
        "ReferenceCounter",
        "AppealNote",
        "AnswerTemplate",
        "DuplicateFlag",
        "AppealAudit",
    ]

    # Rows shown on their people's own kept pages (citizens/pagecache.py).
    personal_rows = {
        "Appeal": ["author_id"],
        "AppealPhoto": ["appeal.author_id"],
        "AppealEvent": ["appeal.author_id"],
        "AppealMessage": ["appeal.author_id"],
        "AppealRating": ["appeal.author_id"],
        "AppealFollower": ["user_id"],
        "ProposalSupport": ["user_id", "appeal.author_id"],
    }

    # The Telegram bot's commands and the /report conversation (appeals/bot.py).
    bot_commands = [
        BotCommand(
            name="report",
            description=_("Report a problem at a place"),
            handler="appeals.bot.report_start",
            button=_("📝 Report a problem"),
        ),
        BotCommand(
            name="my",
            description=_("My latest requests"),
            handler="appeals.bot.my_appeals",
            button=_("📋 My requests"),
        ),
    ]
    bot_flows = [
        BotFlow(
            key="appeals.report",
            on_message="appeals.bot.report_message",
            on_callback="appeals.bot.report_callback",
        ),
    ]

    notification_events = [
        EventType(
            key="appeals.submitted",
            label=_("Confirmation of a request I filed"),
            title=_("Request %(reference)s is registered"),
            text=_(
                "“%(title)s” is registered and waits for moderation. "
                "The answer is due by %(deadline)s."
            ),
            default_channels=frozenset({EMAIL}),
            group=REQUESTS,
        ),
        EventType(
            key="appeals.status_changed",
            label=_("News about requests I filed or follow"),
            title=_("Request %(reference)s: %(status)s"),
            text=_("“%(title)s” is now: %(status)s. %(reason)s"),
            default_channels=frozenset({EMAIL, WEBPUSH, TELEGRAM}),
            group=REQUESTS,
        ),
        EventType(
            key="appeals.answered",
            label=_("The answer to a request I filed"),
            title=_("Request %(reference)s is answered"),
            text=_("“%(title)s” has an answer from the city. %(reason)s"),
            default_channels=frozenset({EMAIL, WEBPUSH, TELEGRAM}),
            group=REQUESTS,
            # The one message about one's own request worth an SMS, if chosen.
            sms=True,
        ),
        EventType(
            key="appeals.author_replied",
            label=_("Authors' replies on requests of my department (staff)"),
            title=_("Request %(reference)s: the author replied"),
            text=_("“%(title)s”: %(what)s"),
            default_channels=frozenset({EMAIL}),
            staff_permissions=frozenset({"appeals.change_appeal"}),
        ),
        EventType(
            key="appeals.threshold_reached",
            label=_("Proposals that reached their support threshold (staff)"),
            title=_("Proposal %(reference)s needs an official answer"),
            text=_("“%(title)s” gathered %(count)s supports."),
            default_channels=frozenset({EMAIL}),
            staff_permissions=frozenset({"appeals.change_appeal", "appeals.moderate_appeal"}),
        ),
        EventType(
            key="appeals.assigned",
            label=_("Requests assigned to me (staff)"),
            title=_("Request %(reference)s is assigned to you"),
            text=_("“%(title)s”. The answer is due by %(deadline)s."),
            default_channels=frozenset({EMAIL}),
            staff_permissions=frozenset({"appeals.change_appeal"}),
        ),
        EventType(
            key="appeals.escalated",
            label=_("Overdue requests of my department (department heads)"),
            title=_("Request %(reference)s is overdue"),
            text=_("“%(title)s” was due by %(deadline)s and is still not answered."),
            default_channels=frozenset({EMAIL}),
            staff_permissions=frozenset({"appeals.change_appeal"}),
        ),
        EventType(
            key="appeals.term_passed",
            label=_("My request was not answered in time"),
            title=_("Request %(reference)s: the term for the answer has passed"),
            text=_(
                "“%(title)s” was due by %(deadline)s and %(department)s has not answered. "
                "You may complain to the head of the city council or to the Ombudsman "
                "(Art. 16 and 20 of the Law on Citizens' Appeals)."
            ),
            default_channels=frozenset({EMAIL}),
            group=REQUESTS,
        ),
        EventType(
            key="appeals.reply_time_passed",
            label=_("My returned request was closed because I did not reply in time"),
            title=_("Request %(reference)s is closed without consideration"),
            text=_(
                "“%(title)s” was returned to you for information and you did not reply by "
                "%(reply_due)s, so it is closed without consideration (Art. 5 and 7 of the Law "
                "on Citizens' Appeals). You may file a new request with the missing information."
            ),
            default_channels=frozenset({EMAIL}),
            group=REQUESTS,
        ),
        EventType(
            key="appeals.incident_suggested",
            label=_("Outages suggested from clusters of reports (moderators)"),
            title=_("A possible outage: %(count)s reports nearby"),
            text=_(
                "%(count)s residents reported “%(kind)s” close to each other within a short time. "
                "Confirm the suggested outage or dismiss it."
            ),
            default_channels=frozenset({EMAIL, WEBPUSH}),
            staff_permissions=frozenset({"appeals.moderate_appeal"}),
        ),
        EventType(
            key="appeals.merged",
            label=_("Requests merged into another one I now follow"),
            title=_("Request %(reference)s is merged into %(into)s"),
            text=_(
                "The city answers it as part of %(into)s “%(into_title)s”. "
                "You now follow that request."
            ),
            default_channels=frozenset({EMAIL, WEBPUSH, TELEGRAM}),
            group=REQUESTS,
        ),
    ]

    # The counts of staff work first on the admin's front page (citizens.staff_tasks).
    staff_overview = "appeals.admin_home.staff_overview"

    # Pages of their own on the admin's front page (citizens.staff_tasks).
    staff_tasks = [
        StaffTask(
            _("Register an oral or paper appeal"),
            "admin:appeals_appeal_register",
            "appeals.register_appeal",
            _("A hotline call, a letter or a visit: the same numbering and term as online."),
        ),
    ]

    role_permissions = {
        "moderator": [
            "appeals.view_appeal",
            "appeals.change_appeal",
            "appeals.moderate_appeal",
            "appeals.register_appeal",
            "appeals.view_category",
            "appeals.view_appealphoto",
            "appeals.change_appealphoto",
            "appeals.view_answertemplate",
            "appeals.view_open311submission",
        ],
        # A service centre's officer registers paper and in-person appeals (Art. 5).
        "service_officer": ["appeals.register_appeal"],
        "department_staff": [
            "appeals.view_appeal",
            "appeals.change_appeal",
            "appeals.view_category",
            "appeals.view_answertemplate",
            "appeals.add_answertemplate",
            "appeals.change_answertemplate",
        ],
        "department_head": [
            "appeals.view_appeal",
            "appeals.change_appeal",
            "appeals.view_category",
            "appeals.view_answertemplate",
            "appeals.add_answertemplate",
            "appeals.change_answertemplate",
        ],
        "city_admin": [
            "appeals.view_appeal",
            "appeals.add_category",
            "appeals.change_category",
            "appeals.view_category",
            "appeals.add_categorygroup",
            "appeals.change_categorygroup",
            "appeals.view_categorygroup",
            "appeals.view_answertemplate",
            "appeals.add_answertemplate",
            "appeals.change_answertemplate",
            "appeals.delete_answertemplate",
            "appeals.view_apiclient",
            "appeals.add_apiclient",
            "appeals.change_apiclient",
            "appeals.view_open311submission",
        ],
    }

    def ready(self):
        from citizens.personal_data import register
        from mycity.lib import counters

        from . import signals
        from .counters import CHECKS
        from .personal_data import ENTRY

        register(ENTRY)
        signals.connect()
        for check in CHECKS:
            counters.register(check)
