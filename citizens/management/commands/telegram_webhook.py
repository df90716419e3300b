import json

from django.core.management.base import BaseCommand, CommandError

from citizens.notifications import telegram


class Command(BaseCommand):
    help = (
        "Point the Telegram bot at this site's webhook (set), stop it (delete) "
        "or show what Telegram has (info). Uses SITE_URL and TELEGRAM_WEBHOOK_SECRET."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["set", "delete", "info"])
        parser.add_argument(
            "--drop-pending-updates",
            action="store_true",
            help="Discard the updates Telegram is holding for the bot (set, delete).",
        )

    def handle(self, *args, action, drop_pending_updates, **options):
        if not telegram.is_configured():
            raise CommandError("Telegram is not configured: set TELEGRAM_BOT_TOKEN.")
        url = telegram.webhook_url()
        if action == "set" and not url.startswith("https://"):
            self.stderr.write(
                self.style.WARNING("Telegram only calls https:// webhooks; SITE_URL is not one.")
            )
        try:
            if action == "set":
                result = telegram.webhook_set(drop_pending_updates=drop_pending_updates)
            elif action == "delete":
                result = telegram.webhook_delete(drop_pending_updates=drop_pending_updates)
            else:
                result = telegram.webhook_info()
        except telegram.BotApiError as exc:
            raise CommandError(f"Telegram refused {action}: {exc}") from None
        if action == "set":
            self.stdout.write(f"Webhook set: {telegram.redact_secret(url)} → {result}")
        elif action == "delete":
            self.stdout.write(f"Webhook deleted → {result}")
        else:
            # The webhook URL holds the secret: never print it.
            shown = json.dumps(result, indent=2, ensure_ascii=False)
            self.stdout.write(telegram.redact_secret(shown))
