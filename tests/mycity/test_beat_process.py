"""Celery beat runs as a process of its own, never inside a worker (`worker -B`).

A worker may be killed and restarted at any time; a beat embedded in it can
outlive it as an orphan, and with the restarted worker's own beat every
periodic job then runs twice. These checks read the files that start
processes or tell people how to: compose, Dockerfile, Makefile, scripts,
deploy files and the documentation.
"""

import ast
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PLACES = [
    "README.md",
    "Makefile",
    "Dockerfile",
    ".env.example",
    ".ci",
    "docs",
    "scripts",
    "deploy",
]
TEXT_SUFFIXES = {
    ".md",
    ".sh",
    ".yml",
    ".yaml",
    ".service",
    ".conf",
    ".ini",
    ".toml",
    ".txt",
    ".example",
    "",
}
# An embedded beat: -B (alone or among other short flags) or --beat.
BEAT_OPTION = re.compile(r"(?:^|\s)(?:-[A-Za-z]*B[A-Za-z]*|--beat)(?=\s|=|$)")
WORKER = re.compile(r"\bcelery\b.*?\bworker\b(?P<rest>.*)")


def embedded_beat_lines(text: str) -> list[str]:
    """Shell, YAML or prose lines that start a Celery worker with an embedded beat."""
    # Shell line continuations and YAML/JSON lists: one command per line, bare words.
    flat = re.sub(r"\\\n", " ", text)
    found = []
    for line in flat.splitlines():
        words = re.sub(r"[\"',\[\]`]", " ", line)
        match = WORKER.search(words)
        if match and BEAT_OPTION.search(match["rest"]):
            found.append(line.strip())
    return found


def embedded_beat_in_python(source: str) -> list[str]:
    """Argument lists in Python that start a worker with -B/--beat, or beat=True."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.List, ast.Tuple)):
            words = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            words = [w for w in words if isinstance(w, str)]
            if "worker" in words and any(BEAT_OPTION.search(f" {w}") for w in words):
                found.append(" ".join(words))
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "beat" and getattr(keyword.value, "value", None) is True:
                    found.append(ast.unparse(node))
    return found


def files_that_start_processes():
    compose = sorted(ROOT.glob("docker-compose*.y*ml")) + sorted(ROOT.glob("compose*.y*ml"))
    yield from compose
    for name in PLACES:
        place = ROOT / name
        if place.is_file():
            yield place
        elif place.is_dir():
            yield from sorted(p for p in place.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    "command",
    [
        "celery -A mycity worker -B",
        "celery -A mycity worker --loglevel=INFO --beat",
        "celery -A mycity worker -l INFO -EB",
        'command: ["celery", "-A", "mycity", "worker", "-B", "--concurrency=2"]',
        "celery -A mycity worker \\\n    --beat",
    ],
)
def test_the_check_finds_an_embedded_beat(command):
    assert embedded_beat_lines(command)


@pytest.mark.parametrize(
    "command",
    [
        "celery -A mycity worker --loglevel=INFO --concurrency=2",
        "celery -A mycity beat --loglevel=INFO --schedule=/tmp/celerybeat-schedule",
        'command: ["celery", "-A", "mycity", "worker", "-n", "bench@%h", "--without-gossip"]',
        "the worker and beat (Celery) run as two services",
    ],
)
def test_the_check_passes_a_worker_without_beat(command):
    assert embedded_beat_lines(command) == []


def test_the_check_reads_python_argument_lists():
    assert embedded_beat_in_python('run(["celery", "-A", "m", "worker",\n "-B"])')
    assert embedded_beat_in_python("app.Worker(beat=True).start()")
    assert embedded_beat_in_python('run(["celery", "-A", "m", "worker", "-n", "x@%h"])') == []


def test_no_file_starts_a_worker_with_an_embedded_beat():
    offenders = []
    for path in files_that_start_processes():
        if path.suffix == ".py":
            found = embedded_beat_in_python(path.read_text(encoding="utf-8"))
        elif path.suffix in TEXT_SUFFIXES:
            found = embedded_beat_lines(path.read_text(encoding="utf-8", errors="replace"))
        else:
            continue
        offenders += [f"{path.relative_to(ROOT)}: {line}" for line in found]
    assert offenders == []


def test_compose_runs_one_beat_of_its_own_beside_the_workers():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    commands = {name: " ".join(s.get("command") or []) for name, s in services.items()}
    beats = [name for name, command in commands.items() if re.search(r"celery .* beat", command)]
    workers = [
        name for name, command in commands.items() if re.search(r"celery .* worker", command)
    ]

    assert len(beats) == 1
    assert workers
    beat = services[beats[0]]
    # Two beats would send every periodic job twice.
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert "scale" not in beat
