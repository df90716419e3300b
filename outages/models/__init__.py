"""Outages: the register of points of help (and, later, incidents)."""

from .points import (
    OFFERS,
    HelpPoint,
    Kind,
    PointReport,
    PointStatus,
    PointStatusChange,
    Problem,
)

__all__ = [
    "OFFERS",
    "HelpPoint",
    "Kind",
    "PointReport",
    "PointStatus",
    "PointStatusChange",
    "Problem",
]
