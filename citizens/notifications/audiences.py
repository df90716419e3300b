"""Named audiences: groups of people a feature app can describe, citizens can target.

An app lists them on its AppConfig as `notification_audiences`, a dict of
"<app>.<name>" -> callable(**params) returning a queryset of user ids
(`.values("user_id")`). A broadcast names them with JSON params, so the
fan-out task can resolve them later without citizens importing the app:

    notify_audience(event=..., district_ids=[3],
                    also=[("news.alert_districts", {"district_ids": [3]})],
                    exclude=[("news.muted_kind", {"kind": "road"})])
"""

from collections.abc import Callable
from functools import cache

from django.apps import apps


@cache
def registry() -> dict[str, Callable]:
    found: dict[str, Callable] = {}
    for config in apps.get_app_configs():
        for key, provider in getattr(config, "notification_audiences", {}).items():
            if key in found:
                raise ValueError(f"Notification audience {key!r} is declared twice")
            found[key] = provider
    return found


def get_audience(key: str) -> Callable:
    try:
        return registry()[key]
    except KeyError:
        raise LookupError(f"Unknown notification audience {key!r}") from None


def normalise(named) -> list[list]:
    """[(key, params), …] as JSON-ready [[key, params], …], each key checked."""
    result = []
    for key, params in named or ():
        get_audience(key)
        result.append([key, dict(params or {})])
    return result


def user_ids(key: str, params: dict):
    """The queryset of user ids the named audience stands for."""
    return get_audience(key)(**params)
