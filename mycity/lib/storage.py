"""The one private storage: every file that leaves only through a permission check.

Applicants' documents, the attachments of official answers and the photos
of appeals live here, under PRIVATE_ROOT (or the private prefix of the S3
bucket), never under MEDIA_ROOT, so that a web server publishing MEDIA_ROOT
publishes nothing private. The `private` entry of STORAGES decides the backend.
"""

from django.core.files.storage import FileSystemStorage, storages
from django.utils.functional import LazyObject


class PrivateFileSystemStorage(FileSystemStorage):
    def url(self, name):
        raise ValueError("Private files have no public URL; use the download view.")


class PrivateStorage(LazyObject):
    """The `private` storage, looked up when first used (tests may swap it)."""

    def _setup(self):
        self._wrapped = storages["private"]


private_storage = PrivateStorage()


def get_private_storage():
    """For FileField(storage=...): migrations record this callable, not a path."""
    return private_storage


def move_files(model, field: str, *, source, target, rename) -> int:
    """Move the `field` file of every row of `model` from storage `source` to `target`.

    For data migrations that take files out of (or back into) public media.
    Each file is copied to `target` under `rename(old_name)` (the target
    storage may still alter it to keep it unique), its row is pointed at the
    copy, and the originals are deleted only once the transaction has
    committed: a migration that fails leaves every row pointing at a file
    that exists. A row whose file is already missing is left as it is.
    Returns how many files were moved.
    """
    from django.db import transaction

    moved = []
    rows = model._default_manager.exclude(**{field: ""}).values_list("pk", field)
    for pk, old in rows.iterator():
        if not source.exists(old):
            continue
        with source.open(old, "rb") as handle:
            new = target.save(rename(old), handle)
        model._default_manager.filter(pk=pk).update(**{field: new})
        moved.append(old)

    def delete_originals():
        for old in moved:
            source.delete(old)

    transaction.on_commit(delete_originals)
    return len(moved)
