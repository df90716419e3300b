"""Every operation that changes the outages app's state (views, admin, API, demo call these)."""

from .points import (
    PointError,
    can_operate,
    get_point_for_operator,
    may_handle_reports,
    point_confirm,
    point_report,
    point_save,
    point_set_status,
    report_handle,
)

__all__ = [
    "PointError",
    "can_operate",
    "get_point_for_operator",
    "may_handle_reports",
    "point_confirm",
    "point_report",
    "point_save",
    "point_set_status",
    "report_handle",
]
