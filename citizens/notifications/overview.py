"""What the outbox is doing, per channel and lane: the staff's overview page and
the front page's warning when the priority lane falls behind.

A row is in the priority lane when its notification's event is one of
events.priority_keys(). Every count reads one of Delivery's partial indexes
(pending by next_attempt_at, sending, sent by sent_at, failed by claimed_at)
and joins its notification by primary key for the lane, so the cost follows
the rows counted, never the whole table: three queries for the overview, one
for the warning, whatever the number of rows. Both are kept for a few
seconds (mycity.lib.cache.recomputed_once) so that a busy admin during a
city-wide alert does not count the same million rows again on every load.

A queued or held message waits from its next_attempt_at, when it became due
(at once for a new message; after quiet hours or a retry's wait otherwise),
not from when it was written: a message held overnight is not late.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, CharField, Count, Min, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from mycity.lib.cache import recomputed_once

from .events import priority_keys
from .models import Channel, Delivery

PRIORITY = "priority"
OTHER = "other"
LANES = (PRIORITY, OTHER)

# The overview's figures are counted again at most this often.
OVERVIEW_CACHE_SECONDS = 30
# The front page's warning is looked up again at most this often.
WARNING_CACHE_SECONDS = 15

Status = Delivery.Status


@dataclass
class LaneFigures:
    """One channel's messages in one lane."""

    channel: str
    lane: str
    queued: int = 0  # pending and due: should be going out now
    held: int = 0  # pending, not yet due: quiet hours or a retry's wait
    sending: int = 0
    sent_hour: int = 0
    sent_day: int = 0
    failed_day: int = 0  # given up, the last attempt in the last 24 hours
    oldest_due: dt.datetime | None = None  # the longest-waiting queued message was due then

    @property
    def channel_label(self) -> str:
        return Channel(self.channel).label

    @property
    def is_priority(self) -> bool:
        return self.lane == PRIORITY


@dataclass
class OutboxOverview:
    computed_at: dt.datetime
    rows: list[LaneFigures]

    def waited(self, row: LaneFigures) -> dt.timedelta | None:
        """How long the oldest queued message of `row` had waited when the figures were taken."""
        if row.oldest_due is None:
            return None
        return max(self.computed_at - row.oldest_due, dt.timedelta(0))

    def is_late(self, row: LaneFigures) -> bool:
        waited = self.waited(row)
        return row.is_priority and waited is not None and waited > max_wait()


@dataclass(frozen=True)
class LaneDelay:
    """The priority lane is behind: `count` messages past the limit, the oldest
    due since `oldest_due`."""

    count: int
    oldest_due: dt.datetime
    checked_at: dt.datetime

    @property
    def waited(self) -> dt.timedelta:
        return self.checked_at - self.oldest_due


def max_wait() -> dt.timedelta:
    """The longest a priority message may wait (NOTIFICATIONS_PRIORITY_MAX_WAIT_SECONDS)."""
    return dt.timedelta(seconds=settings.NOTIFICATIONS_PRIORITY_MAX_WAIT_SECONDS)


def lane_expression() -> Case:
    """PRIORITY or OTHER for a Delivery row, from its notification's event."""
    return Case(
        When(notification__event__in=sorted(priority_keys()), then=Value(PRIORITY)),
        default=Value(OTHER),
        output_field=CharField(),
    )


def count_outbox(now: dt.datetime | None = None) -> OutboxOverview:
    """The figures of every channel and lane, counted now: three queries."""
    now = now or timezone.now()
    hour_ago = now - dt.timedelta(hours=1)
    day_ago = now - dt.timedelta(days=1)
    by_lane = Delivery.objects.order_by().annotate(lane=lane_expression())
    rows = {
        (channel, lane): LaneFigures(channel=channel, lane=lane)
        for channel in Channel.values
        for lane in LANES
    }

    pending_aggregates = {
        "queued": Count("pk", filter=Q(next_attempt_at__lte=now)),
        "held": Count("pk", filter=Q(next_attempt_at__gt=now)),
        "oldest_due": Min("next_attempt_at", filter=Q(next_attempt_at__lte=now)),
    }
    finished_aggregates = {
        "sent_hour": Count("pk", filter=Q(status=Status.SENT, sent_at__gte=hour_ago)),
        "sent_day": Count("pk", filter=Q(status=Status.SENT)),
        "failed_day": Count("pk", filter=Q(status=Status.FAILED)),
    }
    queries = [
        # citizens_delivery_due
        (by_lane.filter(status=Status.PENDING), pending_aggregates),
        # citizens_delivery_heartbeat
        (by_lane.filter(status=Status.SENDING), {"sending": Count("pk")}),
        # citizens_delivery_sent and citizens_delivery_failed, one bitmap each
        (
            by_lane.filter(
                Q(status=Status.SENT, sent_at__gte=day_ago)
                | Q(status=Status.FAILED, claimed_at__gte=day_ago)
            ),
            finished_aggregates,
        ),
    ]
    for queryset, aggregates in queries:
        for figures in queryset.values("channel", "lane").annotate(**aggregates):
            row = rows.get((figures.pop("channel"), figures.pop("lane")))
            if row is not None:  # a channel no longer offered: not shown
                for name, value in figures.items():
                    setattr(row, name, value)
    return OutboxOverview(computed_at=now, rows=list(rows.values()))


def outbox_overview() -> OutboxOverview:
    """count_outbox(), kept for OVERVIEW_CACHE_SECONDS."""
    return recomputed_once("citizens:outbox-overview", OVERVIEW_CACHE_SECONDS, count_outbox)


def find_priority_delay(now: dt.datetime | None = None) -> LaneDelay | None:
    """The priority lane's messages due longer ago than max_wait() and still pending.

    One query over the due-rows index, reading only the rows past the limit
    (none while the lane keeps up). None when the lane is fine.
    """
    now = now or timezone.now()
    keys = priority_keys()
    if not keys:
        return None
    late = Delivery.objects.filter(
        status=Status.PENDING,
        next_attempt_at__lt=now - max_wait(),
        notification__event__in=sorted(keys),
    ).aggregate(count=Count("pk"), oldest_due=Min("next_attempt_at"))
    if not late["count"]:
        return None
    return LaneDelay(count=late["count"], oldest_due=late["oldest_due"], checked_at=now)


def priority_delay() -> LaneDelay | None:
    """find_priority_delay(), kept for WARNING_CACHE_SECONDS."""
    # In a tuple: a lane that is fine (None) is kept too, not looked up on every load.
    (delay,) = recomputed_once(
        "citizens:priority-delay", WARNING_CACHE_SECONDS, lambda: (find_priority_delay(),)
    )
    return delay


def duration_text(value: dt.timedelta) -> str:
    """A wait as staff read it: "45 s", "12 min", "3 h 05 min"."""
    seconds = int(value.total_seconds())
    if seconds < 60:
        return gettext("%(seconds)d s") % {"seconds": seconds}
    minutes = seconds // 60
    if minutes < 60:
        return gettext("%(minutes)d min") % {"minutes": minutes}
    return gettext("%(hours)d h %(minutes)02d min") % {
        "hours": minutes // 60,
        "minutes": minutes % 60,
    }


def delay_text(delay: LaneDelay) -> str:
    return ngettext(
        "The priority lane is behind: %(count)d urgent message waiting longer than "
        "%(limit)s, the oldest for %(waited)s.",
        "The priority lane is behind: %(count)d urgent messages waiting longer than "
        "%(limit)s, the oldest for %(waited)s.",
        delay.count,
    ) % {
        "count": delay.count,
        "limit": duration_text(max_wait()),
        "waited": duration_text(delay.waited),
    }
