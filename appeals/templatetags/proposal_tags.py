"""Template helpers for the support box (appeals/_support.html)."""

from django import template

from ..policies import SupportState, support_state

register = template.Library()


@register.simple_tag
def proposal_support_state(appeal) -> SupportState:
    """`{% proposal_support_state appeal as state %}`: counter, threshold, period."""
    return support_state(appeal)
