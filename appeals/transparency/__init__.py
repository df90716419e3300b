"""What appeals contribute to the public statistics and open data (mycity/transparency.py).

APPEALS and PROPOSALS count every appeal, private and sensitive ones too,
and return numbers only: stats withholds the figures of small groups.
PUBLIC_APPEALS is the open dataset of what public pages already show: no
names, no texts, the point rounded as on the map.

Each figure is counted over one "facet" of the appeals, one grouped query
on an index each: the appeals received in the period (registered_at), the
ones answered in it (answered_at), the ones overdue now (the open ones'
partial index) and the ratings given in it. A group's size, which decides
whether it shows at all, is the largest of its facets: never more than the
distinct appeals behind it, so a group is shown only when one of its counts
alone reaches the threshold.
"""

from .dataset import PUBLIC_APPEALS
from .figures import APPEALS, PROPOSALS

__all__ = ["APPEALS", "PROPOSALS", "PUBLIC_APPEALS"]
