"""Queueing a task by its registered name (mycity.lib.tasks): how services queue
without importing the tasks modules that import them."""

import sys

import pytest

from mycity.lib import tasks as task_queue

NAME = "tests.mycity.lookup_tasks.ping"


def test_a_task_is_found_by_name_before_its_module_is_imported():
    assert "tests.mycity.lookup_tasks" not in sys.modules

    task = task_queue.task_named(NAME)

    assert task.name == NAME
    assert task() == "pong"


def test_queue_takes_a_name(monkeypatch):
    sent = []
    task = task_queue.task_named(NAME)
    monkeypatch.setattr(task, "delay", lambda *args: sent.append(args))

    assert task_queue.queue(NAME, 1, 2) is True
    assert sent == [(1, 2)]


def test_an_unknown_name_is_an_error_not_a_silent_drop():
    with pytest.raises(ModuleNotFoundError):
        task_queue.task_named("nowhere.tasks.nothing")
