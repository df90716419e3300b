"""A file system storage with no public URL: files leave only through a checked view."""

from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    def url(self, name):
        raise ValueError("Private files have no public URL; use the download view.")
