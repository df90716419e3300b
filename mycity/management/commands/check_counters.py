"""Compare every denormalised counter with the rows it counts (mycity.lib.counters).

manage.py check_counters            # report; exit status 1 if any differ
manage.py check_counters --fix      # recount and store what can be fixed
manage.py check_counters --only appeals.support_count
"""

from django.core.management.base import BaseCommand, CommandError

from mycity.lib.counters import counters_check, registered


class Command(BaseCommand):
    help = "Compare denormalised counters with their rows; --fix recounts them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix",
            action="store_true",
            help="Recount each differing counter under its lock and store the result.",
        )
        parser.add_argument(
            "--only",
            action="append",
            metavar="CHECK",
            help="Run only this check (repeatable): "
            + ", ".join(check.name for check in registered()),
        )

    def handle(self, *args, fix=False, only=None, **options):
        try:
            differences = counters_check(fix=fix, only=only)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        for difference in differences:
            style = self.style.SUCCESS if difference.fixed else self.style.ERROR
            self.stdout.write(style(str(difference)))
        left = [d for d in differences if not d.fixed]
        fixed = len(differences) - len(left)
        if fixed:
            self.stdout.write(f"Fixed {fixed} counter(s).")
        if left:
            raise CommandError(f"{len(left)} counter(s) differ from their rows.")
        if not differences:
            self.stdout.write("All counters match their rows.")
