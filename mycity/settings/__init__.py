"""Settings for My City, read only from the environment (12-factor).

A fresh clone needs no environment at all: it runs on the embedded default
(SQLite file, Celery tasks executed in-process, e-mail to the console, media
in a local folder). Production sets DEBUG=false and the variables listed in
the README; a missing secret or a malformed value stops start-up with an
ImproperlyConfigured that names the variable.

Split in two modules read in order: base.py (the environment, apps, database,
cache and Celery, accounts, e-mail, languages, files, security, abuse limits)
and features.py (maps, appeals, notifications, personal data, the API,
e-services, news).
"""

from .base import *
from .features import *
