"""The one private storage: every file that leaves only through a permission check.

Applicants' documents and the attachments of official answers live here,
under PRIVATE_ROOT (or the private prefix of the S3 bucket), never under
MEDIA_ROOT, so that a web server publishing MEDIA_ROOT publishes nothing
private. The `private` entry of STORAGES decides the backend.
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
