"""The house's import rules, checked on the source with `ast` (nothing is imported to check it).

Every import counts: at the top, inside a function, and under `if TYPE_CHECKING:`. The rules are
those of the README's "How it is built":

- no import circles, but inside the stand-in (a test double that is not part of the bot);
- `storage/` imports nothing above it (no `bot`, `handlers` or `schedules`);
- only the composition root (and the demo, which assembles the real app against the stand-in)
  reaches `handlers/` or `schedules/`; `handlers/` and `schedules/` do not reach each other;
- only the CLI and the demo reach the demo or the stand-in;
- the kernel (the modules directly in `bot/`, and its packages: the shared Block Kit toolkit
  `bot/blocks/` and the languages `bot/i18n/`) imports no feature, and a feature imports only
  features before it in `FEATURES`;
- a builder (`blocks.py` or `*_blocks.py` in a feature) takes plain models: of the features it
  imports only `model` modules and other builders, never rules or services.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

TOP = ("bot", "handlers", "schedules", "storage")

# The Hoshin features in the one direction imports run: each may import those before it, never
# one after it. `ask` is the pipeline the check-in and the hansei share.
FEATURES = (
    "plan",
    "a3",
    "status",
    "objectives",
    "catchball",
    "actions",
    "review",
    "ask",
    "checkin",
    "hansei",
    "reflection",
    "home",
)
ROOT = frozenset({"bot.app", "bot.cli", "bot.server", "bot.runtime", "bot.services"})
KERNEL_PACKAGES = ("bot.blocks", "bot.i18n")  # the kernel's own packages, not features
RUNNERS = ("bot.demo", "bot.standin")  # shipped, but no production module imports them


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int

    def __str__(self) -> str:
        return f"{self.source}:{self.line} imports {self.target}"


def modules(root: Path, tops: Iterable[str] = TOP) -> dict[str, Path]:
    """Every module under the top-level packages, by dotted name (migrations left out)."""
    found: dict[str, Path] = {}
    for top in tops:
        for path in sorted((root / top).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def edges(root: Path, tops: Iterable[str] = TOP) -> list[Edge]:
    """Each import of one of our modules by another, however deep in the file it stands."""
    known = modules(root, tops)

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    found: dict[tuple[str, str], Edge] = {}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            for target in _targets(node, package, known, resolve):
                if target != name:
                    found.setdefault((name, target), Edge(name, target, node.lineno))
    return list(found.values())


def _targets(node: ast.AST, package: str, known, resolve) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if (target := resolve(alias.name)) is not None:
                yield target
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            parts = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*parts, base] if base else parts)
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            target = submodule if submodule in known else resolve(base)
            if target is not None:
                yield target


def circles(found: list[Edge], *, exempt: tuple[str, ...] = ("bot.standin",)) -> list[list[str]]:
    """The strongly connected groups of two or more modules (Tarjan's, without recursion)."""
    graph: dict[str, set[str]] = {}
    for edge in found:
        if _within(edge.source, exempt) and _within(edge.target, exempt):
            continue
        graph.setdefault(edge.source, set()).add(edge.target)
        graph.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def _within(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def feature_of(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] == "bot" and len(parts) > 1 and parts[1] in FEATURES:
        return parts[1]
    return None


def is_kernel(name: str) -> bool:
    """A module directly in `bot/` (but the composition root), or in a kernel package."""
    parts = name.split(".")
    if parts[0] != "bot" or name in ROOT:
        return False
    in_bot = len(parts) == 2 and not _is_package_name(parts[1])
    return in_bot or _within(name, KERNEL_PACKAGES)


def _is_package_name(part: str) -> bool:
    return part in FEATURES or f"bot.{part}" in RUNNERS


def broken_rules(found: list[Edge]) -> list[str]:
    """Each import that goes against the house's direction, said in a line."""
    broken: list[str] = []
    for edge in found:
        source, target = edge.source, edge.target
        top, target_top = source.split(".")[0], target.split(".")[0]
        wanted, have = feature_of(target), feature_of(source)
        if top == "storage" and target_top != "storage":
            broken.append(f"{edge}: storage/ imports nothing above it")
        root = source in ROOT or _within(source, ("bot.demo",))
        if target_top in ("handlers", "schedules") and top != target_top and not root:
            broken.append(f"{edge}: only the composition root reaches {target_top}/")
        runner = _within(source, RUNNERS) or source == "bot.cli"
        if _within(target, RUNNERS) and not runner:
            broken.append(f"{edge}: only the CLI and the demo reach the demo or the stand-in")
        if wanted is not None and is_kernel(source):
            broken.append(f"{edge}: the kernel imports no feature")
        if wanted and have and FEATURES.index(wanted) > FEATURES.index(have):
            broken.append(f"{edge}: {have} comes before {wanted}, so it may not import it")
    return broken


def is_builder(name: str) -> bool:
    """A feature's Block Kit builder module: `bot/<feature>/blocks.py` or `*_blocks.py`."""
    last = name.rpartition(".")[2]
    return feature_of(name) is not None and (last == "blocks" or last.endswith("_blocks"))


def builder_breaches(found: list[Edge]) -> list[str]:
    """Each import of a feature's rules or service module by a builder, said in a line."""
    return [
        f"{edge}: a builder imports models, never rules"
        for edge in found
        if is_builder(edge.source)
        and feature_of(edge.target) is not None
        and edge.target.rpartition(".")[2] != "model"
        and not is_builder(edge.target)
    ]
