"""A task module no code imports: mycity.lib.tasks.task_named must import it to find the task."""

from celery import shared_task


@shared_task(name="tests.mycity.lookup_tasks.ping")
def ping() -> str:
    return "pong"
