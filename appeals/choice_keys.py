"""From choices typed one per line to choices with keys (migration 0024).

Before 0024 a question's choices were two texts, one label a line, Ukrainian
and English, and answers stored the label in whichever language the resident
filed in. These plain functions turn the lines into keyed choices and the
stored labels into keys; the migration calls them, and so do their tests.
They use no model, so they keep working as the models change.
"""

from mycity.lib.slugs import unique_slug

KEY_LENGTH = 60


def _lines(text: str | None) -> list[str]:
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


def choices_from_lines(uk_text: str | None, en_text: str | None) -> list[dict]:
    """[{key, label_uk, label_en}] in the lines' order; keys from the Ukrainian label.

    The English lines are paired with the Ukrainian ones by position when there are
    as many of each (as the admin asked for); otherwise the English label is left
    empty and the Ukrainian one is shown in its place. Only English lines: both
    labels are those lines.
    """
    uk, en = _lines(uk_text), _lines(en_text)
    if not uk:
        uk = en
    if len(en) != len(uk):
        en = [""] * len(uk)
    taken: set[str] = set()
    choices = []
    for label_uk, label_en in zip(uk, en, strict=True):
        if label_uk in (c["label_uk"] for c in choices):
            continue  # a repeated line was one choice in the form too
        key = unique_slug(label_uk, taken, KEY_LENGTH)
        taken.add(key)
        choices.append({"key": key, "label_uk": label_uk, "label_en": label_en})
    return choices


def _key_of(value, choices: list[dict]):
    if not isinstance(value, str):
        return value
    text = " ".join(value.split())
    for choice in choices:
        if text == choice["key"]:
            return text
    folded = text.casefold()
    for choice in choices:
        if folded in (choice["label_uk"].casefold(), choice["label_en"].casefold()):
            return choice["key"]
    return value  # no such choice (any more): kept as the resident sent it


def answers_with_keys(answers: dict, questions: dict[str, list[dict]]) -> dict | None:
    """`answers` (an appeal's extra_answers) with each choice label replaced by its key.

    `questions` maps a choice question's code to its choices as choices_from_lines
    makes them. Returns None when nothing changes, so unchanged rows are not written.
    A value that names no choice is kept as it is: an answer is never lost.
    """
    if not isinstance(answers, dict):
        return None
    changed = dict(answers)
    for code, choices in questions.items():
        value = answers.get(code)
        if isinstance(value, list):
            changed[code] = [_key_of(v, choices) for v in value]
        elif value is not None:
            changed[code] = _key_of(value, choices)
    return changed if changed != answers else None


def answers_with_labels(answers: dict, questions: dict[str, list[dict]]) -> dict | None:
    """The way back: keys replaced by the Ukrainian label (for reversing 0024)."""
    if not isinstance(answers, dict):
        return None
    changed = dict(answers)
    for code, choices in questions.items():
        labels = {c["key"]: c["label_uk"] for c in choices}
        value = answers.get(code)
        if isinstance(value, list):
            changed[code] = [labels.get(v, v) if isinstance(v, str) else v for v in value]
        elif isinstance(value, str):
            changed[code] = labels.get(value, value)
    return changed if changed != answers else None
