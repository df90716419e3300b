"""A measure's 12-month trend as an accessible SVG bar chart, drawn on the server.

No JavaScript and no chart library: the page draws `stats/_chart.html`
from these numbers, with a title and a description for screen readers and
the same figures in a table beside it. A withheld month has no bar and is
marked in the table.
"""

from dataclasses import dataclass

from django.utils import formats

from mycity.transparency import PERCENT, Measure

from .figures import SHOWN, Row

WIDTH, HEIGHT = 360, 160
TOP, BOTTOM, LEFT = 12, 22, 4
STEPS = (1, 2, 2.5, 5, 10)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the month, short
    text: str  # the figure, or "—"
    shown: bool


@dataclass(frozen=True)
class Chart:
    measure: Measure
    bars: tuple[Bar, ...]
    top: str  # the value the top gridline stands for, printed
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def baseline(self) -> float:
        return HEIGHT - BOTTOM

    @property
    def gridline(self) -> float:
        return TOP

    @property
    def empty(self) -> bool:
        return not any(bar.shown for bar in self.bars)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `value` (1 for nothing)."""
    if value <= 0:
        return 1
    scale = 1
    while scale * 10 < value:
        scale *= 10
    while scale > value:
        scale /= 10
    return next(step * scale for step in STEPS if step * scale >= value)


def chart(measure: Measure, months: list[tuple[str, Row]]) -> Chart:
    """`months` is [(short label, the month's row)], oldest first."""
    values = []
    for label, row in months:
        cell = row.cell(measure.key)
        values.append((label, cell))
    shown = [cell.value for _label, cell in values if cell.state == SHOWN]
    top = 100 if measure.unit == PERCENT else nice_ceiling(max(shown, default=0))
    slot = (WIDTH - LEFT) / max(len(values), 1)
    room = HEIGHT - TOP - BOTTOM
    bars = []
    for index, (label, cell) in enumerate(values):
        height = room * cell.value / top if cell.state == SHOWN else 0
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.15, 1),
                y=round(HEIGHT - BOTTOM - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=label,
                text=cell.text,
                shown=cell.state == SHOWN,
            )
        )
    printed = formats.number_format(top, 0 if top >= 1 else 1, use_l10n=True, force_grouping=True)
    if measure.unit == PERCENT:
        printed = f"{printed} %"
    return Chart(measure, tuple(bars), printed)
