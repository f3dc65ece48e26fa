"""The plan file's problems in words: each one placed, pydantic's errors retold for people, and
the checks across fields that no single field can make (unknown people, duplicate refs, years)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel

from bot.plan.limits import LEVELS, MAX_LEVELS

FILE = "(file)"  # the place of a problem that concerns the whole file


@dataclass(frozen=True)
class Problem:
    """One problem, by its place in the file (`breakthroughs[0].annual[1].metric.target`)."""

    place: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" + (f" (line {self.line})" if self.line else "")


def place(loc: tuple | list) -> str:
    """`('breakthroughs', 0, 'title')` -> `breakthroughs[0].title`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or FILE


def shown(value: Any) -> str:
    """A value as a message shows it: short, and in the file's words (true, not True)."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "nothing"}[value]
    if isinstance(value, dict):
        return "a block of key: value pairs"
    if isinstance(value, list | tuple | set):
        return "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- pydantic's errors, retold -------------------------------------------------------------------

_KEY_HINTS = {
    ("Breakthrough", "actions"): "actions belong on annual and cascaded objectives",
    ("Breakthrough", "children"): "a breakthrough's objectives go under 'annual'",
    ("Breakthrough", "year"): "a breakthrough spans years: use years: [start, end]",
    ("AnnualObjective", "annual"): "objectives below an annual objective go under 'children'",
    ("CascadedObjective", "annual"): "objectives below a cascaded objective go under 'children'",
}


def _model_at(root: type[BaseModel], path: tuple) -> type[BaseModel] | None:
    model: Any = root
    for part in path:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if model else None
        if field is None:
            return None
        todo, model = [field.annotation], None
        while todo:  # unwrap list[...] and X | None down to the model inside
            kind = todo.pop()
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                model = kind
            todo += get_args(kind)
    return model


def _unknown_key(root: type[BaseModel], loc: tuple) -> str:
    model = _model_at(root, loc[:-1])
    if model is None:
        return "is not expected here"
    allowed = list(model.model_fields)
    key = loc[-1]
    hint = _KEY_HINTS.get((model.__name__, key))
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
    said = hint or (f"did you mean '{close[0]}'?" if close else "")
    return f"unknown key{'; ' + said if said else ''} (allowed here: {', '.join(allowed)})"


_EXPECTED = {
    "float": "a number such as 12.5, without units or thousands separators",
    "int": "a whole number",
    "bool": "true or false",
    "list": "a list",
    "dict": "a block of key: value pairs",
    "model": "a block of key: value pairs",
}


def describe_error(error: Any, root: type[BaseModel]) -> str:
    """A pydantic error from validating `root`, said for a person fixing a spreadsheet export."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return _unknown_key(root, tuple(error["loc"]))
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"]).removeprefix("Value error, ")
    if kind == "string_type":
        hint = "; put it in quotes if it is meant as text" if isinstance(value, int | float) else ""
        return f"expected text, got {shown(value)}{hint}"
    if kind == "literal_error":
        return f"is {shown(value)}; expected one of {ctx.get('expected')}"
    if kind == "invalid_key":
        return f"keys must be text, got {shown(value)}"
    if kind == "finite_number":
        return f"not a number (got {shown(value)}); expected a finite number"
    base = kind.split("_")[0]
    if base in _EXPECTED and kind.endswith(("_type", "_parsing", "_from_float")):
        noun = "not a number" if base == "float" else f"expected {_EXPECTED[base]}"
        tail = f"; expected {_EXPECTED[base]}" if base == "float" else ""
        return f"{noun} (got {shown(value)}){tail}"
    if kind == "recursion_loop":
        return "refers to itself (a YAML alias loop); write the block out in full"
    return str(error.get("msg", kind))


# --- the checks across fields -------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


_SAYS = {
    "person twice": "{v} is listed twice (also people[{i}]); list each person once",
    "unknown person": "{v} is not in people; add them there or fix the id",
    "loop": "the manager chain loops ({v}); the person at the top must have no manager",
    "ref twice": "{v} is already the ref of {at}; every objective needs its own ref",
    "years": "is {v}; expected [first year, last year], the first not after the last, "
    "e.g. [2027, 2029]",
    "outside": "{v} is outside its breakthrough's years {a}–{b}; pick a year in that span",
    "child year": "is {v} but its parent's is {p}; a cascaded objective belongs to its parent's "
    "year (leave year out to use it)",
    "12": "has {v} values; expected exactly 12 numbers, one per month, starting with the fiscal "
    "year's first month",
    "no metric": "a monthly plan needs a metric; add metric: {{name: …, target: …}} or remove it",
    "action twice": "is the same as actions[{i}]; give each action of an objective its own title",
    "too deep": "is level {v} of the plan; " + LEVELS + ": attach it higher up",
}


def cross_checks(root: dict) -> list[tuple[tuple, str]]:
    """(where, message) of every problem no single field shows, in `root`, the file's plain data.

    The data need not be valid: what cannot be checked is left to the field checks.
    """
    return _Checks(root).found


class _Checks:
    def __init__(self, root: dict) -> None:
        self.found: list[tuple[tuple, str]] = []
        people = root.get("people")
        self.people: dict[str, int] | None = None  # id -> index; None when people is unusable
        if isinstance(people, list):
            self.people = {}
            for i, person in enumerate(people):
                pid = person.get("id") if isinstance(person, dict) else None
                if isinstance(pid, str) and pid in self.people:
                    self.add(("people", i, "id"), "person twice", v=pid, i=self.people[pid])
                elif isinstance(pid, str):
                    self.people[pid] = i
            self.managers(people)
        self.objectives(_list(root.get("breakthroughs")))

    def add(self, loc: tuple, what: str, **values: Any) -> None:
        self.found.append((loc, _SAYS[what].format(**values)))

    def person(self, loc: tuple, pid: Any) -> None:
        if self.people is not None and isinstance(pid, str) and pid not in self.people:
            self.add(loc, "unknown person", v=pid)

    def managers(self, people: list) -> None:
        manager_of: dict[str, str] = {}
        for i, person in enumerate(people):
            if isinstance(person, dict) and isinstance(person.get("manager"), str):
                self.person(("people", i, "manager"), person["manager"])
                if isinstance(person.get("id"), str) and person["manager"] in self.people:
                    manager_of[person["id"]] = person["manager"]
        done: set[str] = set()
        for start in manager_of:  # one manager each: a loop is a path that comes back to itself
            path: list[str] = []
            here: str | None = start
            while here is not None and here not in done and here not in path:
                path.append(here)
                here = manager_of.get(here)
            if here is not None and here in path:
                loop = path[path.index(here) :]
                top = loop.index(min(loop, key=self.people.__getitem__))  # first in the file
                chain = " -> ".join(loop[top:] + loop[:top] + [loop[top]])
                self.add(("people", self.people[loop[top]], "manager"), "loop", v=chain)
            done.update(path)

    def objectives(self, breakthroughs: list) -> None:
        refs: dict[str, str] = {}
        seen: set[int] = set()
        # (block, place, level, parent's year, breakthrough's years); popped in file order.
        todo = [
            (bt, ("breakthroughs", i), "breakthrough", None, None)
            for i, bt in enumerate(breakthroughs)
        ][::-1]
        while todo:
            obj, loc, level, parent_year, span = todo.pop()
            if not isinstance(obj, dict) or id(obj) in seen:
                continue
            seen.add(id(obj))
            depth = len(loc) // 2  # ("breakthroughs", i), then ("annual", j), ("children", k)...
            if depth > MAX_LEVELS:
                self.add(loc, "too deep", v=depth)
                continue
            ref, year = obj.get("ref"), obj.get("year")
            if isinstance(ref, str) and ref in refs:
                self.add((*loc, "ref"), "ref twice", v=ref, at=refs[ref])
            elif isinstance(ref, str):
                refs[ref] = place(loc)
            self.person((*loc, "owner"), obj.get("owner"))
            if level == "breakthrough":
                years, span = obj.get("years"), None
                if isinstance(years, list) and all(_is_int(y) for y in years):
                    if len(years) == 2 and years[0] <= years[1]:
                        span = years
                    else:
                        self.add((*loc, "years"), "years", v=years)
                kids = [
                    (k, (*loc, "annual", i), "annual", None, span)
                    for i, k in enumerate(_list(obj.get("annual")))
                ]
            else:
                if level == "annual" and _is_int(year) and span and not span[0] <= year <= span[1]:
                    self.add((*loc, "year"), "outside", v=year, a=span[0], b=span[1])
                if _is_int(year) and _is_int(parent_year) and year != parent_year:
                    self.add((*loc, "year"), "child year", v=year, p=parent_year)
                year = year if _is_int(year) else parent_year
                kids = [
                    (k, (*loc, "children", i), "cascaded", year, None)
                    for i, k in enumerate(_list(obj.get("children")))
                ]
                self.details(obj, loc)
            todo += kids[::-1]

    def details(self, obj: dict, loc: tuple) -> None:
        plan = obj.get("monthly_plan")
        if isinstance(plan, list) and len(plan) != 12:
            self.add((*loc, "monthly_plan"), "12", v=len(plan))
        if plan is not None and obj.get("metric") is None:
            self.add((*loc, "monthly_plan"), "no metric")
        titles: dict[str, int] = {}
        for i, action in enumerate(_list(obj.get("actions"))):
            if isinstance(action, dict):
                self.person((*loc, "actions", i, "owner"), action.get("owner"))
                title = action.get("title")
                if isinstance(title, str) and title in titles:
                    self.add((*loc, "actions", i, "title"), "action twice", i=titles[title])
                elif isinstance(title, str):
                    titles[title] = i
