from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = _("Statistics and open data")
    # The statistics themselves, by month, are a dataset too (stats/datasets.py).
    open_datasets = ["stats.datasets.MONTHLY_STATISTICS"]
    # Built files are kept apart from what public pages show: no page cache bump.
    private_models = ["PublishedFile"]
