"""The shared transition table (mycity.lib.workflow) and the four workflows built on it."""

import pytest

from appeals import workflow as appeals
from mycity.lib.workflow import Transition, Workflow
from news import alert_workflow as alerts
from services import appointment_workflow as appointments
from services import workflow as applications

OPEN, DONE, GONE = "open", "done", "gone"
TABLE = Workflow(
    {
        "create": Transition(frozenset(), OPEN, frozenset({"author"})),
        "note": Transition(frozenset({OPEN}), None, frozenset({"clerk"})),
        "finish": Transition(frozenset({OPEN}), DONE, frozenset({"clerk", "head"})),
        "redo": Transition(frozenset({DONE}), DONE, frozenset({"clerk"})),
        "remove": Transition(frozenset({OPEN}), GONE, frozenset({"head"})),
    },
    reasoned={"note"},
)


class Thing:
    def __init__(self, status):
        self.status = status

    def get_status_display(self):
        return self.status.upper()


def test_allowed_checks_the_role_and_the_source_status():
    assert TABLE.allowed("finish", OPEN, "clerk")
    assert not TABLE.allowed("finish", OPEN, "author")
    assert not TABLE.allowed("finish", DONE, "clerk")


def test_an_action_without_sources_only_creates():
    assert TABLE.allowed("create", None, "author")
    assert not TABLE.allowed("create", OPEN, "author")


def test_target_keeps_the_status_when_the_action_leads_nowhere():
    assert TABLE.target("note", OPEN) == OPEN
    assert TABLE.target("finish", OPEN) == DONE
    assert TABLE.needs_reason("note")
    assert not TABLE.needs_reason("finish")


def test_actions_from_follows_the_given_order():
    assert TABLE.actions_from(OPEN, "head") == ["finish", "remove"]
    assert TABLE.actions_from(OPEN, "clerk", ["finish", "note"]) == ["finish", "note"]
    assert TABLE.actions_from(GONE, "head") == []


def test_final_statuses_are_those_no_action_leads_out_of():
    # "redo" leads from done back to done: done stays final.
    assert TABLE.final([OPEN, DONE, GONE]) == {DONE, GONE}


def test_move_sets_the_status_and_returns_the_old_one():
    thing = Thing(OPEN)
    assert TABLE.move(thing, "finish", "clerk", refused=ValueError) == OPEN
    assert thing.status == DONE


def test_a_refused_move_changes_nothing_and_names_the_status():
    thing = Thing(DONE)
    with pytest.raises(ValueError, match="DONE"):
        TABLE.move(thing, "remove", "head", refused=ValueError)
    assert thing.status == DONE


@pytest.mark.parametrize(
    ("module", "final"),
    [
        (appeals, {"rejected", "merged", "forwarded", "lapsed"}),
        (applications, {"issued", "refused", "withdrawn"}),
        (appointments, {"cancelled"}),  # a mark can still be corrected
        (alerts, {"resolved"}),
    ],
)
def test_each_workflow_derives_its_final_statuses_from_its_table(module, final):
    assert module.WORKFLOW.transitions is module.TRANSITIONS
    assert final == module.FINAL_STATUSES
