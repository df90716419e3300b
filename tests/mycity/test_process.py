"""A worker's identity, and telling a process that is gone from one that runs."""

import os
import subprocess
import sys

import pytest

from mycity.lib import process

pytestmark = pytest.mark.skipif(
    not os.path.exists("/proc/self/ns/pid"),
    reason="process identities are checked through Linux's /proc",
)


@pytest.fixture
def child():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait()


def test_this_process_is_alive():
    me = process.identity()

    assert me.split("|")[3] == str(os.getpid())
    assert not process.is_dead(me)


def test_a_process_that_exited_is_dead(child):
    owner = process.identity(child.pid)
    assert not process.is_dead(owner)

    child.kill()
    child.wait()

    assert process.is_dead(owner)


def test_a_new_process_with_the_same_pid_does_not_keep_the_old_claim_alive(child):
    *where, pid, start = process.identity(child.pid).split("|")
    # What the claim of an earlier process that had this pid looks like.
    earlier = "|".join([*where, pid, str(int(start) - 1)])

    assert process.is_dead(earlier)


@pytest.mark.parametrize(
    "owner",
    [
        "another-host|{boot}|{ns}|999999|1",  # another machine: its lease decides
        "{host}|another-boot|{ns}|999999|1",  # another machine of the same name
        "{host}|{boot}|1|999999|1",  # another pid namespace (a restarted container)
        "{host}|{boot}|-|999999|1",  # a platform where the namespace is unknown
        "",  # a claim from before identities were recorded
        "not an identity",
    ],
)
def test_what_cannot_be_seen_from_here_is_never_called_dead(owner):
    host, boot, namespace, *_ = process.identity().split("|")

    assert not process.is_dead(owner.format(host=host, boot=boot, ns=namespace))
