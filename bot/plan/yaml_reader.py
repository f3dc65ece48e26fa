"""Reading a plan file's YAML into plain data, with the line of every key and list item."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NoReturn

import yaml
from yaml.constructor import SafeConstructor

from bot.plan.limits import LEVELS, MAX_ALIASED, MAX_NESTING

_Y = "tag:yaml.org,2002:"
_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when it is there
# The scalars a plan file may hold; a date stays text so that 2027-02-30 becomes a located
# problem rather than a crash.
_CONSTRUCT = {
    _Y + "null": SafeConstructor.construct_yaml_null,
    _Y + "bool": SafeConstructor.construct_yaml_bool,
    _Y + "int": SafeConstructor.construct_yaml_int,
    _Y + "float": SafeConstructor.construct_yaml_float,
    _Y + "str": SafeConstructor.construct_yaml_str,
    _Y + "timestamp": SafeConstructor.construct_yaml_str,
    _Y + "value": SafeConstructor.construct_yaml_str,
}
_MERGE = object()  # the key `<<`, which merges an anchored block into this one
_NO_KEY = object()


class Refused(yaml.MarkedYAMLError):
    """Valid YAML that a plan file may not use: a tag, too many aliases, blocks nested too deep."""


class _Loader(_Parser):
    """PyYAML's safe loader, except that dates and times of day stay text."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != _Y + "timestamp"]
        for first, resolvers in _Parser.yaml_implicit_resolvers.items()
    }

    def resolve(self, kind: Any, value: str, implicit: tuple[bool, bool]) -> str:
        tag = super().resolve(kind, value, implicit)
        if tag in (_Y + "int", _Y + "float") and ":" in value:
            return _Y + "str"  # 10:30 stays a time; YAML 1.1 would make it the number 630
        return tag


@dataclass
class YamlData:
    """A YAML document as plain data, with the line of every key and list item."""

    root: Any = None
    # id(container) -> (container, its lines: a dict of key -> line, or a list of item lines)
    lines: dict[int, tuple[Any, Any]] = field(default_factory=dict)
    duplicates: list[tuple[tuple, int, int]] = field(default_factory=list)  # where, line, first

    def line(self, loc: tuple) -> int | None:
        """The line of the key or item at `loc`, or of the nearest one above it that exists."""
        line, here = None, self.root
        for part in loc:
            found = self.lines.get(id(here))
            if found is None:
                break
            try:
                line, here = found[1][part], here[part]
            except (KeyError, IndexError, TypeError):
                break
        return line


def read_yaml(text: str) -> YamlData:
    """Safe YAML as plain data; raises yaml.MarkedYAMLError, located, if it cannot be read, and
    Refused, located, for what a plan file may not hold: any tag, blocks nested more than
    MAX_NESTING deep, more than MAX_ALIASED values brought in by aliases, an alias in its own block.

    It reports a key given twice, where PyYAML silently keeps the last. It walks libyaml's events
    rather than composing PyYAML's node tree, which would be several times slower for a large
    plan: the million objects of that tree keep Python's garbage collector busy. An alias shares
    its anchor's value rather than copying it, but everything after the reader walks each use in
    full, so each use counts with all it holds.
    """
    return _Reader(text).data


@dataclass(slots=True)
class _Open:
    """A list or mapping being read."""

    container: list | dict
    lines: list | dict  # the line of each item, or of each key
    loc: tuple  # where the container is in the file
    key: Any = _NO_KEY  # a mapping's key that waits for its value
    key_line: int = 0
    merges: list = field(default_factory=list)  # (what `<<` brings in, the line of `<<`)
    anchor: str | None = None  # its &name, whose size is known when it closes
    nodes_before: int = 0  # values read before it
    peak_before: int = 0  # the deepest nesting before it


class _Reader:
    def __init__(self, text: str) -> None:
        self.data = YamlData()
        self.anchors: dict[str, Any] = {}
        # &name -> (values in it, levels of nesting in it); None while its block is being read
        self.sizes: dict[str, tuple[int, int] | None] = {}
        self.nodes = 0  # values read, each alias counted with all it brings in
        self.aliased = 0  # of which brought in by aliases
        self.peak = 0  # the deepest nesting, since the anchored block being read began
        self.stack: list[_Open] = []
        self.seen: dict[str, Any] = {}  # plain text -> value; keys and numbers repeat a lot
        # As bytes, so that libyaml itself names a stray surrogate and where it is.
        events = _Loader(text.encode("utf-8", "surrogatepass"))
        try:
            documents = 0
            while (event := events.get_event()) is not None:
                kind = type(event)
                if kind is yaml.ScalarEvent:
                    self.nodes += 1
                    self.value(self.scalar(event, events), event)
                elif kind is yaml.AliasEvent:
                    self.alias(event)
                elif kind in (yaml.MappingStartEvent, yaml.SequenceStartEvent):
                    self.nodes += 1
                    self.start(event, mapping=kind is yaml.MappingStartEvent)
                elif kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
                    self.end(self.stack.pop(), event)
                elif kind is yaml.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        _fail(
                            "a plan file is one YAML document, but this one has a second ('---')",
                            event,
                        )
        finally:
            events.dispose()

    def scalar(self, event: yaml.ScalarEvent, loader: _Loader) -> Any:
        text = event.value
        if event.tag is not None:
            _no_tag(event)
        plain = event.implicit[0]
        if plain and text in self.seen:
            return self.seen[text]
        tag = loader.resolve(yaml.ScalarNode, text, event.implicit)
        if tag == _Y + "merge":
            value = _MERGE
        elif tag in _CONSTRUCT:
            value = _CONSTRUCT[tag](loader, yaml.ScalarNode(tag, text))
        else:
            _fail(f"the tag {tag} has no place in a plan file", event)
        if plain:
            self.seen[text] = value
        return value

    def value(self, value: Any, event: Any) -> tuple:
        if event.anchor:
            self.anchors[event.anchor] = value
            self.sizes[event.anchor] = (1, 0)
        return self.put(value, event)

    def alias(self, event: yaml.AliasEvent) -> None:
        name = event.anchor
        if name not in self.anchors:
            _fail(f"*{name} has no &{name} before it", event)
        size = self.sizes[name]
        if size is None:
            _refuse(
                f"*{name} is used inside the block &{name} names, which would never end; "
                "write the block out in full",
                event,
            )
        values, height = size
        self.aliased += values
        if self.aliased > MAX_ALIASED:
            _refuse(
                f"*{name} makes the values that aliases bring in more than {MAX_ALIASED:,}, the "
                "most a plan file may have; write the blocks out in full",
                event,
            )
        self.nodes += values
        self.deeper(len(self.stack) + height, event)
        self.put(self.anchors[name], event)

    def deeper(self, depth: int, event: Any) -> None:
        if depth > MAX_NESTING:
            _refuse(f"blocks are nested more than {MAX_NESTING} deep here; {LEVELS}", event)
        if depth > self.peak:
            self.peak = depth

    def start(self, event: Any, *, mapping: bool) -> None:
        if event.tag is not None:
            _no_tag(event)
        depth = len(self.stack) + 1
        self.deeper(depth, event)
        value: Any = {} if mapping else []
        lines: Any = {} if mapping else []
        opened = _Open(value, lines, self.value(value, event))
        if event.anchor:  # its size is counted from here to its end
            self.sizes[event.anchor] = None
            opened.anchor, opened.nodes_before, opened.peak_before = (
                event.anchor,
                self.nodes,
                self.peak,
            )
            self.peak = depth
        self.stack.append(opened)
        self.data.lines[id(value)] = (value, lines)

    def put(self, value: Any, event: Any) -> tuple:
        """Place a value in the open container; returns where it went."""
        line = event.start_mark.line + 1
        if not self.stack:
            self.data.root = value
            return ()
        here = self.stack[-1]
        container, lines, loc = here.container, here.lines, here.loc
        if isinstance(container, dict) and here.key is _NO_KEY:
            if isinstance(value, dict | list):
                _fail("a key must be a single value", event)
            here.key, here.key_line = value, line
            return ()
        if value is _MERGE:
            _fail("<< merges key: value pairs into a block; it can only be a key", event)
        if isinstance(container, list):
            container.append(value)
            lines.append(line)
            return (*loc, len(container) - 1)
        key, line, here.key = here.key, here.key_line, _NO_KEY
        if key is _MERGE:
            here.merges.append((value, line))
        elif key in lines:
            self.data.duplicates.append(((*loc, key), line, lines[key]))
        else:
            container[key], lines[key] = value, line
        return (*loc, key)

    def end(self, closed: _Open, event: Any) -> None:
        if closed.anchor is not None:
            depth = len(self.stack) + 1
            self.sizes[closed.anchor] = (
                self.nodes - closed.nodes_before + 1,
                self.peak - depth + 1,
            )
            self.peak = max(self.peak, closed.peak_before)
        mapping, lines = closed.container, closed.lines
        for merged, line in closed.merges:  # `<<: *defaults`: keys given here win over merged ones
            for source in merged if isinstance(merged, list) else [merged]:
                if not isinstance(source, dict):
                    _fail("<< must be followed by key: value pairs", event)
                for key, item in source.items():
                    if key not in mapping:
                        mapping[key], lines[key] = item, line


def _fail(problem: str, event: Any) -> NoReturn:
    raise yaml.MarkedYAMLError(None, None, problem, event.start_mark)


def _refuse(problem: str, event: Any) -> NoReturn:
    raise Refused(None, None, problem, event.start_mark)


def _no_tag(event: Any) -> NoReturn:
    tag = event.tag.replace(_Y, "!!", 1)
    _refuse(
        f"YAML tags such as {tag} have no place in a plan file; write the value plainly, "
        "in quotes if it is text",
        event,
    )
