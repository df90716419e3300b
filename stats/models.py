from django.db import models
from django.utils.translation import gettext_lazy as _

from mycity.lib.storage import get_private_storage


class PublishedFile(models.Model):
    """A dataset written out in one format and language, served to repeated downloads.

    Built nightly (stats.tasks.build_open_data) and on the first download of
    a day; a download older than FRESH is streamed from the database instead.
    """

    dataset = models.CharField(_("dataset"), max_length=60)
    format = models.CharField(_("format"), max_length=10)
    language = models.CharField(_("language"), max_length=8)
    file = models.FileField(_("file"), storage=get_private_storage, upload_to="opendata/")
    rows = models.PositiveIntegerField(_("rows"))
    size = models.PositiveBigIntegerField(_("size, bytes"))
    built_at = models.DateTimeField(_("built"))

    class Meta:
        verbose_name = _("published data file")
        verbose_name_plural = _("published data files")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "format", "language"], name="stats_one_file_per_format"
            )
        ]

    def __str__(self):
        return f"{self.dataset}.{self.format} ({self.language})"
