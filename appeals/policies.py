"""Whether a proposal collects supports: one rule for the web page, the API and the services.

The support box (appeals/_support.html, through proposal_tags), the API's
`support` object (appeals.api.serializers) and proposal_support /
proposal_unsupport all read `support_state`.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from .models import Appeal, Category, Kind
from .selectors import is_public


def support_threshold(category: Category) -> int:
    """Supports a proposal of `category` needs: the category's own, else the city-wide one."""
    return category.support_threshold or settings.PROPOSAL_SUPPORT_THRESHOLD


@dataclass(frozen=True)
class SupportState:
    """What the support box shows about one proposal (a read, no queries)."""

    count: int
    threshold: int
    reached_at: dt.datetime | None
    support_until: dt.date | None
    supportable: bool  # a public, accepted, non-sensitive proposal
    collecting: bool  # supportable and within its period today

    @property
    def reached(self) -> bool:
        return self.reached_at is not None

    @property
    def ended(self) -> bool:
        return self.supportable and not self.collecting

    @property
    def days_left(self) -> int:
        if not self.collecting:
            return 0
        return (self.support_until - timezone.localdate()).days

    @property
    def progress(self) -> int:
        """Supports shown on the progress bar: never past the threshold."""
        return min(self.count, self.threshold)


def support_state(appeal: Appeal, today: dt.date | None = None) -> SupportState:
    """The support box's view of `appeal` (uses `appeal.category`; select it with the appeal)."""
    today = today or timezone.localdate()
    # Only a proposal on public pages (the same rule as selectors.is_public).
    supportable = appeal.kind == Kind.PROPOSAL and is_public(appeal)
    collecting = supportable and appeal.support_until is not None and today <= appeal.support_until
    return SupportState(
        count=appeal.support_count,
        threshold=support_threshold(appeal.category),
        reached_at=appeal.threshold_reached_at,
        support_until=appeal.support_until,
        supportable=supportable,
        collecting=collecting,
    )
