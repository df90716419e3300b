#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mycity.settings")
    # Management commands on a developer's machine need no environment. The
    # web (wsgi.py) and Celery (mycity/celery.py) never read this default,
    # and production sets DEBUG=false explicitly.
    os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
