"""Files for the restore drill (scripts/restore_drill.sh), with the environment's settings.

    python scripts/restore_drill_files.py seed    # give the database files to back up
    python scripts/restore_drill_files.py check   # no migration missing, every named file there

`seed` points the first row of every model with a file field at a new file
in that field's storage (public media or the private storage), or, where the
model has no rows, saves a file there unattached; the demo data has no
files of its own. Random bytes, so a file that comes back different is seen.
A drill fixture on a throw-away database: it writes rows directly.
`check` exits non-zero if the database lacks a migration of this code, or
naming each row whose file is missing (or if no row names a file: then it
proved nothing).
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mycity.settings")


def say(line: str, stream=sys.stdout) -> None:
    stream.write(f"restore_drill_files: {line}\n")


def file_fields():
    from django.apps import apps
    from django.db import models

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model, field


def seed() -> None:
    from django.core.files.base import ContentFile

    count = 0
    for model, field in file_fields():
        row = model._default_manager.order_by("pk").first()
        content = ContentFile(os.urandom(2048))
        if row is None:
            field.storage.save(f"drill/{model._meta.label_lower}.{field.name}.bin", content)
        else:
            name = field.storage.save(field.generate_filename(row, "drill-файл.pdf"), content)
            model._default_manager.filter(pk=row.pk).update(**{field.name: name})
        count += 1
    say(f"{count} files saved")


def check() -> int:
    from django.core.management import call_command

    try:
        call_command("migrate", check_unapplied=True, verbosity=0)
    except SystemExit:
        say("the database lacks migrations of this code", sys.stderr)
        return 1
    named = missing = 0
    for model, field in file_fields():
        names = model._default_manager.exclude(**{field.name: ""}).values_list("pk", field.name)
        for pk, name in names:
            named += 1
            if not field.storage.exists(name):
                say(f"missing: {model._meta.label} {pk} {field.name}={name}", sys.stderr)
                missing += 1
    say(f"{named} files named by rows, {missing} missing")
    return 1 if missing or not named else 0


if __name__ == "__main__":
    import django

    django.setup()
    if sys.argv[1:] == ["seed"]:
        seed()
    elif sys.argv[1:] == ["check"]:
        sys.exit(check())
    else:
        sys.exit(__doc__)
