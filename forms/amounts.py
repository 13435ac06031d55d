"""Amounts of money as GOV.UK's style guide writes them: `£75.50`, `£1,200` (whole pounds
without pence). One writer for the forms' messages (the limits a money question states) and
for every page that shows a cost (the web app's money filter)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def money(value) -> str:
    """`1200.5` -> `£1,200.50`, `1200` -> `£1,200`, `-3` -> `−£3`; no amount -> `–`."""
    if value is None or value == "" or isinstance(value, bool):
        return "–"
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    sign, amount = ("−" if amount < 0 else ""), abs(amount)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{sign}£{text}"
