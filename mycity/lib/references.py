"""Human reference numbers counted per year: KH-2026-000123.

Each app that gives out numbers keeps its own table, a concrete
`YearlyCounter` (appeals.ReferenceCounter, services.ReferenceCounter): one
row per year holding the last number given out. `next_reference` takes the
next one under a row lock, so it must run inside the caller's transaction:
the row stays locked until that commits, and two submissions never get the
same number (a rolled-back one gives its number back).
"""

import datetime as dt

from django.db import models
from django.utils import timezone

DIGITS = 6
# Numbers are padded to six digits; a year past 999,999 goes on to seven and more.
MAX_DIGITS = 9


def pattern(*, suffix_letters: int = 0) -> str:
    """The URL pattern of a reference: a city code of 2-5 letters (and an app's own
    letters after it), the year, the number."""
    return rf"[A-Z]{{2,{5 + suffix_letters}}}-\d{{4}}-\d{{{DIGITS},{MAX_DIGITS}}}"


class ReferenceConverter:
    """A path converter for references (`register_converter` it under the app's name)."""

    regex = pattern()

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class YearlyCounter(models.Model):
    """The last number given out in a year (locked while incremented)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.year}: {self.value}"

    @classmethod
    def take(cls, count: int = 1, *, now: dt.datetime | None = None) -> tuple[int, int]:
        """(year, first of `count` new numbers) for the local year of `now`, under a row lock."""
        year = timezone.localdate(now or timezone.now()).year
        cls.objects.get_or_create(year=year)
        counter = cls.objects.select_for_update().get(year=year)
        first = counter.value + 1
        counter.value += count
        counter.save(update_fields=["value"])
        return year, first


def reference(prefix: str, year: int, number: int) -> str:
    """`prefix`-`year`-`number`, the number zero-padded: KH-2026-000123."""
    return f"{prefix}-{year}-{number:0{DIGITS}d}"


def next_reference(
    counter: type[YearlyCounter], prefix: str, now: dt.datetime | None = None
) -> str:
    """The next reference of the year from `counter`; inside the caller's transaction."""
    year, number = counter.take(now=now)
    return reference(prefix, year, number)
