"""Demo data for the outages app (seed_demo): incidents."""

from . import demo_incidents


def seed(stdout):
    demo_incidents.seed(stdout)
