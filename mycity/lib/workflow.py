"""One shape for every workflow's table of allowed transitions.

Each workflow (appeals, applications, appointments, alerts) keeps its own
statuses, actions and table in its own module; this holds what they share:
the row of the table, the questions asked of it, and the one move every
status change makes. The services lock the row, call `move()`, then save and
record their own event: what differs between workflows stays with them.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple


class Transition(NamedTuple):
    """One action of a workflow.

    `sources` are the statuses it may start from; empty means it creates the
    object (there is no status yet). `to` is the status it leads to; None keeps
    the status (an extension, a note). `actors` are the roles that may take it.
    """

    sources: frozenset[str]
    to: str | None
    actors: frozenset[str]


class Workflow:
    """The questions asked of a table of transitions, answered in one place."""

    def __init__(self, transitions: Mapping[str, Transition], *, reasoned: Iterable[str] = ()):
        self.transitions = transitions
        # The actions that need a reason the other side will read.
        self.reasoned = frozenset(reasoned)

    def allowed(self, action: str, from_status: str | None, actor: str) -> bool:
        sources, _to, actors = self.transitions[action]
        if actor not in actors:
            return False
        return from_status is None if not sources else from_status in sources

    def target(self, action: str, from_status: str | None) -> str:
        to = self.transitions[action].to
        return from_status if to is None else to

    def needs_reason(self, action: str) -> bool:
        return action in self.reasoned

    def actions_from(self, status: str, actor: str, actions: Iterable[str] = ()) -> list[str]:
        """The actions `actor` may take from `status`, in the order of `actions` (or the table)."""
        return [a for a in (actions or self.transitions) if self.allowed(a, status, actor)]

    def final(self, statuses: Iterable[str]) -> frozenset[str]:
        """The statuses no action leads out of: nothing more happens there."""
        return frozenset(
            s
            for s in statuses
            if not any(s in t.sources and t.to not in (None, s) for t in self.transitions.values())
        )

    def move(
        self, obj: Any, action: str, actor: str, *, refused: Callable[[str], Exception]
    ) -> str:
        """Give `obj` the status `action` leads to, if the table allows it; return the old one.

        Raises `refused(status label)` when `actor` may not take `action` from
        the current status. The caller holds the row lock, saves and records.
        """
        before = obj.status
        if not self.allowed(action, before, actor):
            raise refused(obj.get_status_display())
        obj.status = self.target(action, before)
        return before
