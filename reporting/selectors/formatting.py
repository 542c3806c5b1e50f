"""Suppression and formatting of figures, and the tables and sections the dashboards and exports show.

Anything leaving the team goes through `suppress` (counts); a mean or share over fewer persons than
the threshold is suppressed too (Builder)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings


def threshold() -> int:
    return settings.WIJKREGIE["SMALL_CELL_THRESHOLD"]


def suppress(count: int | None) -> str:
    """A count as it may leave the team: below the threshold it is shown as '<5'."""
    if count is None:
        return "–"
    return f"<{threshold()}" if count < threshold() else str(count)


def round_half_up(value: float, decimals: int = 1) -> Decimal:
    """Rounded as reports do (2.45 -> 2.5), from the shortest decimal form of the stored double."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def fmt_int(value: int | None) -> str:
    return "–" if value is None else f"{int(value):,}".replace(",", ".")


def fmt_dec(value: float | None, decimals: int = 1) -> str:
    if value is None:
        return "–"
    text = f"{round_half_up(value, decimals):,}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def fmt_pct(value: float | None) -> str:
    return "–" if value is None else f"{fmt_dec(value * 100, 1)}%"


def fmt_signed(value: float | None) -> str:
    if value is None:
        return "–"
    rounded = round_half_up(value, 1)
    return ("+" if rounded > 0 else "") + fmt_dec(value, 1)


@dataclass
class Cell:
    text: str
    url: str | None = None
    raw: float | int | None = None  # the exact number for XLSX; None when suppressed or not a number
    header: bool = False


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[Cell]]
    note: str = ""


@dataclass
class Section:
    key: str
    title: str
    intro: str = ""
    tables: list[Table] = field(default_factory=list)
    chart: dict | None = None

    @property
    def chart_id(self) -> str:
        return f"grafiek-{self.key}"
