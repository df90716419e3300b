import pytest

from mycity.celery import app as celery_app


@pytest.fixture
def eager():
    """Tasks run in-process, whatever REDIS_URL says.

    With REDIS_URL the suite's Celery is not eager, and changing Django's
    settings in a test does not reach the app's conf: set the conf itself.
    """
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved
