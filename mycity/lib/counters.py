"""Denormalised counters and the rows they count: a registry and a check.

A few numbers are stored beside the rows they count, so lists can sort and
show them without counting: a proposal's supports, a time slot's booked
seats, a survey's responses against the people who took part. The services
move each counter in the same transaction as its rows, and an account that
acted is erased, never hard-deleted (docs/operations.md, "Counters"), so a
counter should never drift. This module is how we would notice if one did.

The core knows no feature app: each app registers its checks here from its
AppConfig.ready, as `CounterCheck` entries:

- `find()` yields `(object id, label, stored, actual)` for every object whose
  stored number differs from its rows. It should be one query, so the
  comparison is made on one snapshot of the database;
- `fix(object id)` (optional) recounts the rows under the same lock the
  services take and stores the result; it returns the new value, or None
  when the object is gone. A check without `fix` can only be reported:
  there is nothing to recount it from (a response cannot be matched to the
  person who took part).

`counters_check()` runs them all (the daily task and `manage.py
check_counters` call it) and logs every difference at ERROR level.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

logger = logging.getLogger("mycity.counters")

Found = tuple[object, str, int, int]


@dataclass(frozen=True)
class CounterCheck:
    name: str  # "<app>.<what>", e.g. "appeals.support_count"
    description: str  # what is compared with what, for the operator
    find: Callable[[], Iterable[Found]]
    fix: Callable[[object], int | None] | None = None


@dataclass(frozen=True)
class Difference:
    check: str
    object_id: object
    label: str
    stored: int
    actual: int
    fixed: bool = False  # `--fix` stored the recounted value
    value: int | None = None  # what `--fix` stored (recounted under the lock)

    def __str__(self) -> str:
        text = f"{self.check} {self.label}: stored {self.stored}, rows {self.actual}"
        if self.fixed:
            text += f"; fixed to {self.value}"
        return text


_registry: dict[str, CounterCheck] = {}


def register(check: CounterCheck) -> None:
    """Add an app's check (from AppConfig.ready; a repeat replaces the entry)."""
    _registry[check.name] = check


def registered() -> list[CounterCheck]:
    return sorted(_registry.values(), key=lambda check: check.name)


def _fix(check: CounterCheck, found: Difference) -> Difference:
    if check.fix is None:
        logger.error("%s: cannot be fixed automatically (%s)", found, check.description)
        return found
    try:
        value = check.fix(found.object_id)
    except Exception:
        logger.exception("%s: the fix failed", found)
        return found
    if value is None:
        logger.warning("%s: the object is gone, nothing to fix", found)
        return found
    fixed = Difference(
        check=found.check,
        object_id=found.object_id,
        label=found.label,
        stored=found.stored,
        actual=found.actual,
        fixed=True,
        value=value,
    )
    logger.warning("%s", fixed)
    return fixed


def counters_check(*, fix: bool = False, only: Iterable[str] | None = None) -> list[Difference]:
    """Compare every registered counter with its rows; return (and log) the differences.

    With `fix`, each difference a check can repair is recounted and stored;
    the returned entries say which were fixed. `only` limits the run to the
    named checks (an unknown name is a ValueError).
    """
    checks = registered()
    if only is not None:
        wanted = set(only)
        unknown = wanted - {check.name for check in checks}
        if unknown:
            raise ValueError(f"unknown counter checks: {', '.join(sorted(unknown))}")
        checks = [check for check in checks if check.name in wanted]
    differences = []
    for check in checks:
        for object_id, label, stored, actual in check.find():
            found = Difference(check.name, object_id, label, stored, actual)
            logger.error("Counter differs from its rows: %s", found)
            differences.append(_fix(check, found) if fix else found)
    return differences
