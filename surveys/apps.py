from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from citizens.notifications.events import EMAIL, SERVICES, TELEGRAM, WEBPUSH, EventType


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")
    # Anonymous visitors' copies of these pages are kept (mycity/pagecache.py).
    cached_pages = ["/surveys/"]
    # Rows shown on their people's own kept pages (citizens/pagecache.py).
    personal_rows = {"Participation": ["user_id"], "Response": ["respondent_id"]}

    notification_events = [
        EventType(
            key="surveys.announced",
            label=_("New surveys I can answer"),
            title=_("New survey: %(title)s"),
            text=_("The city asks for your opinion. Open until %(closes)s."),
            default_channels=frozenset({EMAIL, WEBPUSH, TELEGRAM}),
            group=SERVICES,
        ),
    ]

    role_permissions = {
        "survey_manager": [
            "surveys.add_survey",
            "surveys.change_survey",
            "surveys.view_survey",
            "surveys.delete_survey",
            "surveys.announce_survey",
            "surveys.view_results",
            "surveys.add_question",
            "surveys.change_question",
            "surveys.view_question",
            "surveys.delete_question",
            "surveys.add_choice",
            "surveys.change_choice",
            "surveys.view_choice",
            "surveys.delete_choice",
            "surveys.view_response",
        ],
        "city_admin": [
            "surveys.view_survey",
            "surveys.view_question",
            "surveys.view_choice",
        ],
    }

    def ready(self):
        from citizens.personal_data import register
        from mycity.lib import counters

        from .counters import CHECKS
        from .personal_data import ENTRY

        register(ENTRY)
        for check in CHECKS:
            counters.register(check)
