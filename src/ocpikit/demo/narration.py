"""The demo's terminal narration: ``HH:MM:SS.mmm  WHO   what happened``, and its formats."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from rich.console import Console
from rich.text import Text

__all__ = ["Narrator", "duration", "energy", "money"]

_STYLES = {"CPO": "bold cyan", "eMSP": "bold magenta", "demo": "bold"}
_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}
_CENT = Decimal("0.01")


def money(amount: Any, currency: str) -> str:
    """``€1.23`` (rounded to the cent), or ``1.23 CHF`` for currencies without a symbol."""
    value = Decimal(str(amount)).quantize(_CENT, rounding=ROUND_HALF_UP)
    symbol = _SYMBOLS.get(currency.upper())
    return f"{symbol}{value}" if symbol else f"{value} {currency.upper()}"


def energy(kwh: Any) -> str:
    """``0.333 kWh``."""
    return f"{Decimal(str(kwh)).quantize(Decimal('0.001'), rounding=ROUND_HALF_UP)} kWh"


def duration(hours: Any) -> str:
    """A duration in hours (OCPI's unit) as ``H:MM:SS``."""
    seconds = int((Decimal(str(hours)) * 3600).to_integral_value(rounding=ROUND_HALF_UP))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Narrator:
    """Prints one timestamped line per step, in local time to the millisecond."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def say(self, who: str, message: str) -> None:
        now = datetime.now().astimezone()
        line = Text()
        line.append(f"{now:%H:%M:%S}.{now.microsecond // 1000:03d}", style="dim")
        line.append("  ")
        line.append(f"{who:<4}", style=_STYLES.get(who, ""))
        line.append("  ")
        line.append(message)
        self.console.print(line)

    def blank(self) -> None:
        self.console.print()

    def plain(self, message: str, style: str = "") -> None:
        self.console.print(Text(message, style=style))
