"""Every change to an appeal goes through these functions (one module per concern)."""

from .common import AppealError, transition
from .submit import appeal_submit, next_reference

__all__ = ["AppealError", "appeal_submit", "next_reference", "transition"]
