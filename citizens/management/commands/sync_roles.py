from django.core.management.base import BaseCommand

from citizens.roles import ROLES, roles_sync


class Command(BaseCommand):
    help = "Create the staff role groups and give each exactly its declared permissions."

    def handle(self, *args, **options):
        counts = roles_sync()
        for key, count in counts.items():
            self.stdout.write(f"{ROLES[key]}: {count} permissions")
