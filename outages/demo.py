"""Demo data for the outages app (seed_demo): incidents and points of help."""

from . import demo_incidents, demo_points


def seed(stdout):
    demo_incidents.seed(stdout)
    demo_points.seed(stdout)
