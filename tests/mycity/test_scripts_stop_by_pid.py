"""Scripts stop what they started by its PID, never by a name pattern (issue 18, point 8).

`pkill -f pattern` or `killall name` also stops another session's process
that happens to match (these machines are shared); a script keeps the PID
of what it started ($!) and kills that.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BY_NAME = re.compile(r"\b(pkill|killall)\b")


def script_files():
    for folder in ("scripts", "deploy", ".ci"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in {"", ".sh", ".py"}:
                yield path
    yield ROOT / "Makefile"


def test_no_script_kills_processes_by_name():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in script_files()
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if BY_NAME.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []


def test_the_check_sees_the_scripts():
    assert any(path.name == "bench.sh" for path in script_files())
