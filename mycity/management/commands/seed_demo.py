import importlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings


class Command(BaseCommand):
    help = (
        "Load idempotent demo data for Kherson. Each installed app provides its own in "
        "<app>/demo.py (a seed(stdout) function); apps run in INSTALLED_APPS order."
    )

    def handle(self, *args, **options):
        # Demo data tells nobody anything: its notifications are not e-mailed.
        quiet_mail = override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
        with quiet_mail, transaction.atomic():
            for config in apps.get_app_configs():
                if Path(config.path).parent != settings.BASE_DIR:
                    continue  # only our own apps, never a third-party package
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                self.stdout.write(f"{config.label}:")
                module.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
