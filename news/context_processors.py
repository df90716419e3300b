"""The urgent-alert banner on every page: one cache read, never a query (news/live.py)."""

from django.utils.functional import cached_property
from django.utils.translation import get_language

from . import live


class BannerAlerts:
    """Active alerts for the visitor's district, computed on first use only."""

    def __init__(self, district_id):
        self.district_id = district_id

    @cached_property
    def _found(self) -> list[dict] | None:
        return live.visible_alerts(
            district_id=self.district_id, language=get_language(), build=False
        )

    @property
    def rows(self) -> list[dict]:
        return self._found or []

    @property
    def stale(self) -> bool:
        """The cache was cold: the page's script asks the live endpoint at once."""
        return self._found is None

    @property
    def etag(self) -> str:
        return live.etag_for(self.rows, get_language(), self.district_id)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __bool__(self):
        return bool(self.rows)


def alerts(request):
    user = getattr(request, "user", None)
    # The user is loaded by then (PreferredLanguageMiddleware reads it): no extra query.
    district = user.district_id if user is not None and user.is_authenticated else None
    return {"urgent_alerts": BannerAlerts(district), "alert_district": district}
