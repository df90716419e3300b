"""Who this process is, and whether a process recorded earlier is still alive.

A claim that a worker writes into a row (the notification outbox) carries the
worker's identity, so a worker started later can tell that the claimant is
gone and take the row back at once instead of waiting for its lease to run
out.

The identity is `host|boot id|pid namespace|pid|start time`. The start time
(in clock ticks since boot, from /proc) tells a live process from a new one
that was given the same pid. The answer is "dead" only when it is certain:
the same host name, the same kernel boot (two machines that share a name
differ here) and the same pid namespace (so the same machine, or the same
container: a restarted container has a new namespace), and no process with
that pid and start time. A claim from another host, another boot, another
namespace or a platform without /proc is "unknown", and waits for its lease.
"""

import os
import socket

SEPARATOR = "|"
UNKNOWN = "-"


def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as boot:
            return boot.read().strip() or UNKNOWN
    except OSError:
        return UNKNOWN


def _pid_namespace() -> str:
    try:
        # "pid:[4026531836]": the namespace's inode, unique on the running kernel.
        return os.readlink("/proc/self/ns/pid").removeprefix("pid:[").rstrip("]")
    except OSError:
        return UNKNOWN


def _start_time(pid: int) -> str | None:
    """The process's start time in ticks since boot; None if there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            # The command name may hold spaces and parentheses: split after the last ")".
            fields = stat.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return None
    except (OSError, IndexError):
        return UNKNOWN
    return fields[19] if len(fields) > 19 else UNKNOWN


def identity(pid: int | None = None) -> str:
    """This process (or another on this host, for tests) as a short string."""
    pid = os.getpid() if pid is None else pid
    start = _start_time(pid) or UNKNOWN
    host = socket.gethostname().replace(SEPARATOR, "_")
    return SEPARATOR.join([host, _boot_id(), _pid_namespace(), str(pid), start])


def is_dead(owner: str) -> bool:
    """True only when `owner` (an identity()) is certainly no longer running."""
    parts = owner.split(SEPARATOR)
    if len(parts) != 5:
        return False
    *where, pid, start = parts
    if UNKNOWN in where or where != identity().split(SEPARATOR)[:3]:
        return False  # another machine, boot or container: its lease decides
    try:
        pid = int(pid)
    except ValueError:
        return False
    now = _start_time(pid)
    if now is None:
        return True  # no such process
    return start != UNKNOWN and now != UNKNOWN and now != start
