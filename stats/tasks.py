"""Celery tasks: thin wrappers that build the open-data files (stats/files.py)."""

from celery import shared_task
from django.core.cache import cache

from mycity import transparency

from . import files

# However many download a stale dataset, one build is asked for in this time.
BUILD_LOCK_SECONDS = 15 * 60


@shared_task(name="stats.tasks.build_open_data", ignore_result=True)
def build_open_data() -> int:
    """Every dataset in every format and language (nightly)."""
    return files.build_all()


@shared_task(name="stats.tasks.build_dataset", ignore_result=True)
def build_dataset(slug: str, fmt: str, language: str) -> None:
    dataset = next((d for d in transparency.open_datasets() if d.slug == slug), None)
    if dataset is not None:
        files.build(dataset, fmt, language)


def ask_for_build(slug: str, fmt: str, language: str) -> bool:
    """Queue a build of one file, unless one was asked for lately; whether it was queued."""
    if not cache.add(f"stats:build:{slug}:{fmt}:{language}", 1, BUILD_LOCK_SECONDS):
        return False
    build_dataset.delay(slug, fmt, language)
    return True
