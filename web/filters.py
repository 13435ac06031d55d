"""Jinja filters for showing stored values to people."""
from __future__ import annotations

from datetime import date

from flask import Flask


def humanise(value) -> str:
    """`stability_meeting_held` -> `Stability meeting held`. Labels from the policy
    vocabulary should replace this once the engine offers them."""
    text = str(value or "").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def long_date(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else "–"


def person(user) -> str:
    if user is None:
        return "Not assigned"
    return user.name or user.email


def init_app(app: Flask) -> None:
    app.add_template_filter(humanise)
    app.add_template_filter(humanise, "placement_label")
    app.add_template_filter(long_date)
    app.add_template_filter(person)
