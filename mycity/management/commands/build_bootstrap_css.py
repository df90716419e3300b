"""Write static/css/bootstrap-used.min.css: Bootstrap's CSS less the rules no page can use.

manage.py build_bootstrap_css           # after a template, script or form gains a class
manage.py build_bootstrap_css --check   # exit status 1 if the committed file is stale

Bootstrap's minified CSS (230 KB, 30 KB gzipped) is read rule by rule and a rule
is kept when each class in one of its selectors is used: a class is used when
its name appears as a word in our templates, scripts or Python files, or in the
templates and Python of the form and account packages that render our pages
(crispy-bootstrap5, allauth), or starts with a prefix a template completes
(`alert-{{ message.tags }}`), or is set by script at run time (SAFELIST). Rules
for [data-bs-*] attributes nobody writes go too, then the custom properties that
nothing kept reads, then the animations nothing names.

A test (tests/mycity/test_static_weight.py) rebuilds the file in memory and
compares, so a class added to a template fails CI until the file is rebuilt.

Why not PurgeCSS: it is a Node program, and this build must run where the
project's Python runs (CI, a developer's machine, the image) without Node at
build time; no maintained Python package does the same (the few on the Python
index are abandoned), and Bootstrap's own minified file needs only the small
reader below, which keeps every rule's text as Bootstrap wrote it.
"""

import os
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SOURCE = Path(settings.BASE_DIR) / "node_modules/bootstrap/dist/css/bootstrap.min.css"
TARGET = Path(settings.BASE_DIR) / "static" / "css" / "bootstrap-used.min.css"

# Classes that scripts add at run time: ours (static/js/app.js opens the menu
# with "show") and those Bootstrap's own plugins would set, should a page use one.
SAFELIST = {
    "active",
    "collapse",
    "collapse-horizontal",
    "collapsing",
    "disabled",
    "fade",
    "hiding",
    "is-invalid",
    "is-valid",
    "modal-backdrop",
    "modal-open",
    "modal-static",
    "offcanvas-backdrop",
    "show",
    "showing",
    "was-validated",
}
# The installed packages' files that render Bootstrap markup on our pages: our
# templates render forms with |crispy and |as_crispy_field (no FormHelper
# layouts, so not crispy's accordions, modals or tabs) and allauth's pages.
PACKAGE_FILES = [
    ("crispy_forms", "templatetags/*.py"),
    ("crispy_bootstrap5", "templates/bootstrap5/*.html"),
    ("crispy_bootstrap5", "templates/bootstrap5/layout/*.html"),
    ("allauth", "templates/**/*.html"),
]
LAYOUT_ONLY = {
    "accordion.html",
    "accordion-group.html",
    "alert.html",
    "modal.html",
    "tab.html",
    "tab-link.html",
    "table_inline_formset.html",
}
SKIPPED_FOLDERS = {
    *(".venv", "node_modules", "staticfiles", "media", "private", ".git", "__pycache__", "htmlcov"),
    *("tests", "migrations", "locale", "docs", "scripts", "deploy"),
}

WORD = re.compile(r"[A-Za-z0-9_-]+")
# `alert-{{ message.tags }}`: every class that starts with "alert-" may be asked for.
TEMPLATE_PREFIX = re.compile(r"([A-Za-z0-9_-]+-)\{[{%]")
CLASS = re.compile(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)")
DATA_ATTRIBUTE = re.compile(r"\[(data-[a-z0-9-]+)")
VAR_USE = re.compile(r"var\((--[A-Za-z0-9_-]+)")
CUSTOM_PROPERTY = re.compile(r"^\s*(--[A-Za-z0-9_-]+)\s*:")
# At-rules whose block holds rules (the others, @keyframes, are kept whole).
GROUPS = ("@media", "@supports")
BANNER = re.compile(r"/\*!.*?\*/", re.S)
COMMENT = re.compile(r"/\*.*?\*/", re.S)


# --- What the project uses --------------------------------------------------


def _project_files(suffixes: tuple[str, ...]) -> list[Path]:
    found = []
    for folder, subfolders, names in os.walk(settings.BASE_DIR):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED_FOLDERS]
        found += [Path(folder) / name for name in names if Path(name).suffix in suffixes]
    # This module names classes it keeps anyway (SAFELIST) or never wants.
    return [path for path in found if path not in (TARGET, Path(__file__))]


def _package_files() -> list[Path]:
    found = []
    for package, pattern in PACKAGE_FILES:
        root = Path(apps.get_app_config(package.split(".")[-1]).path)
        found += [path for path in root.glob(pattern) if path.name not in LAYOUT_ONLY]
    return found


def used_words() -> tuple[set[str], set[str], str]:
    """Words that may be class names, prefixes templates complete, and all the text read."""
    words: set[str] = set(SAFELIST)
    prefixes: set[str] = set()
    texts = []
    paths = _project_files((".html", ".txt", ".js", ".py", ".css")) + _package_files()
    for path in sorted(set(paths)):
        text = path.read_text(encoding="utf-8", errors="replace")
        texts.append(text)
        words.update(WORD.findall(text))
        if path.suffix == ".html":
            prefixes.update(TEMPLATE_PREFIX.findall(text))
    return words, prefixes, "\n".join(texts)


# --- Reading Bootstrap's CSS ------------------------------------------------


def _blocks(css: str) -> list[tuple[str, str | None]]:
    """Top-level statements: (prelude, body) for a block, (statement, None) for `@charset …;`."""
    statements = []
    start = depth = 0
    quote = None
    prelude_end = None
    i = 0
    while i < len(css):
        char = css[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "{":
            if depth == 0:
                prelude_end = i
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                statements.append((css[start:prelude_end].strip(), css[prelude_end + 1 : i]))
                start = i + 1
        elif char == ";" and depth == 0:
            statements.append((css[start : i + 1].strip(), None))
            start = i + 1
        i += 1
    if css[start:].strip():
        raise CommandError(f"Unexpected end of CSS: {css[start:][:80]!r}")
    return statements


def _split_top_level(text: str, separator: str) -> list[str]:
    parts, depth, start, quote = [], 0, 0, None
    for i, char in enumerate(text):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _without_arguments(selector: str) -> str:
    """The selector less :not(…) and other arguments: a class inside them is not required."""
    out, depth = [], 0
    for char in selector:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


class _Purger:
    def __init__(self, words: set[str], prefixes: set[str]):
        self.words = words
        self.prefixes = tuple(sorted(prefixes))

    def class_used(self, name: str) -> bool:
        return name in self.words or name.startswith(self.prefixes)

    def selector_used(self, selector: str) -> bool:
        bare = _without_arguments(selector)
        if any(attribute not in self.words for attribute in DATA_ATTRIBUTE.findall(bare)):
            return False
        return all(self.class_used(name) for name in CLASS.findall(bare))

    def rules(self, css: str) -> list[tuple[str, str | None]]:
        kept = []
        for prelude, body in _blocks(css):
            if body is None:
                kept.append((prelude, None))
            elif prelude.startswith(GROUPS):
                inner = self.rules(body)
                if inner:
                    kept.append((prelude, _join(inner)))
            elif prelude.startswith("@"):
                kept.append((prelude, body))
            else:
                selectors = [s for s in _split_top_level(prelude, ",") if self.selector_used(s)]
                if selectors:
                    kept.append((",".join(selectors), body))
        return kept


def _join(rules: list[tuple[str, str | None]]) -> str:
    return "".join(prelude if body is None else f"{prelude}{{{body}}}" for prelude, body in rules)


# --- Custom properties and animations nothing uses --------------------------


def _declarations(rules, found: list[str]) -> None:
    for prelude, body in rules:
        if body is None:
            continue
        if prelude.startswith(GROUPS):
            _declarations(_blocks(body), found)
        elif not prelude.startswith("@"):
            found += _split_top_level(body, ";")


def _needed_properties(rules, outside: str) -> set[str]:
    declarations: list[str] = []
    _declarations(rules, declarations)
    needed = set(VAR_USE.findall(outside))
    defined: dict[str, list[str]] = {}
    for declaration in declarations:
        name = CUSTOM_PROPERTY.match(declaration)
        if name:
            defined.setdefault(name[1], []).append(declaration)
        else:
            needed.update(VAR_USE.findall(declaration))
    queue = list(needed)
    while queue:
        for declaration in defined.get(queue.pop(), []):
            for name in VAR_USE.findall(declaration):
                if name not in needed:
                    needed.add(name)
                    queue.append(name)
    return needed


def _drop_properties(rules, needed: set[str]):
    kept = []
    for prelude, body in rules:
        if body is None or (prelude.startswith("@") and not prelude.startswith(GROUPS)):
            kept.append((prelude, body))
        elif prelude.startswith(GROUPS):
            inner = _drop_properties(_blocks(body), needed)
            if inner:
                kept.append((prelude, _join(inner)))
        else:
            declarations = [
                d
                for d in _split_top_level(body, ";")
                if d.strip() and not ((name := CUSTOM_PROPERTY.match(d)) and name[1] not in needed)
            ]
            if declarations:
                kept.append((prelude, ";".join(declarations)))
    return kept


def _drop_animations(rules):
    text = _join([rule for rule in rules if not rule[0].startswith("@keyframes")])
    return [
        (prelude, body)
        for prelude, body in rules
        if not prelude.startswith("@keyframes") or prelude.split()[1] in text
    ]


def build() -> str:
    """The trimmed CSS, as the committed file should hold it."""
    source = SOURCE.read_text(encoding="utf-8")
    banner = BANNER.search(source)[0]
    css = COMMENT.sub("", source)
    words, prefixes, text = used_words()
    rules = _Purger(words, prefixes).rules(css)
    rules = _drop_properties(rules, _needed_properties(rules, text))
    rules = _drop_animations(rules)
    note = "/* Trimmed to the classes My City uses: manage.py build_bootstrap_css */"
    charset = [prelude for prelude, body in rules if body is None]
    rest = [rule for rule in rules if rule[1] is not None]
    return "".join(charset) + banner + note + _join(rest) + "\n"


class Command(BaseCommand):
    help = "Write static/css/bootstrap-used.min.css: Bootstrap's rules that the project uses."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Only tell whether the file is current."
        )

    def handle(self, *args, check=False, **options):
        css = build()
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if check:
            if css != current:
                raise CommandError(f"{TARGET.name} is stale: run manage.py build_bootstrap_css")
            self.stdout.write(f"{TARGET.name} is current.")
            return
        TARGET.write_text(css, encoding="utf-8")
        self.stdout.write(
            f"{TARGET.name}: {len(css.encode()) / 1024:.1f} KB "
            f"(from {SOURCE.stat().st_size / 1024:.1f} KB)"
        )
