"""Which topics of the ROS graph a recorder subscribes to, and when (no ROS here).

A recorder is given exact topics and patterns, each name relative to its
namespace or absolute, and sees the graph's advertised topics and their types
at every scan:

- an exact topic with its type (``poses:pose_estimation_ros/msg/PoseArray``)
  is subscribed at once, before any publisher exists, so not even the first
  message of a publisher that starts later is missed; a scan reports it when
  the graph has it with another type (it would never match);
- an exact topic without a type is subscribed when a scan first sees it
  published (messages before that are not recorded);
- a pattern (``*`` stands for one name token: ``/humans/bodies/*/roi``) is
  for topics that come and go with their publishers (REP-155's per-body
  topics): each match is subscribed when a scan first sees it, and dropped when
  a scan no longer sees it (a body that left: its reader freed).

A topic published with more than one type is left out and reported.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

WILDCARD = "*"  # one name token in a pattern
TYPE_SEPARATOR = ":"  # between a topic and its type: never part of a topic name


def absolute_name(name: str, namespace: str) -> str:
    """Return topic ``name`` resolved in ``namespace`` (absolute names stay as they are).

    ``ValueError`` for what a recorder cannot resolve: an empty name, ``~`` (a
    node's private namespace) or a substitution (``{node}``).
    """
    text = name.strip()
    if not text or text.startswith("~") or "{" in text or "}" in text:
        raise ValueError(
            f"topic {name!r}: give a topic name relative to the recorder's namespace or "
            "absolute (no '~', no substitutions)"
        )
    if text.startswith("/"):
        return "/" + text.strip("/")
    return "/" + "/".join(part for part in (namespace.strip("/"), text.strip("/")) if part)


def _typed(entry: str, namespace: str) -> tuple[str, str | None]:
    """Split ``name[:pkg/msg/Type]`` into the absolute name and the type (``None``: none)."""
    name, separator, msgtype = entry.partition(TYPE_SEPARATOR)
    msgtype = msgtype.strip()
    if separator and len(msgtype.split("/")) != 3:
        raise ValueError(f"topic {entry!r}: its type must read pkg/msg/Name")
    return absolute_name(name, namespace), msgtype or None


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """Compile an absolute pattern whose ``*`` tokens each match one name token."""
    tokens = pattern.split("/")
    return re.compile(
        "/".join("[^/]+" if token == WILDCARD else re.escape(token) for token in tokens)
    )


@dataclass
class Scan:
    """What one scan of the graph found: topics to subscribe now, and problems to report."""

    subscribe: list[tuple[str, str]] = field(default_factory=list)  # (topic, type)
    waiting_for: list[str] = field(default_factory=list)  # untyped exact topics, no publisher
    several_types: list[str] = field(default_factory=list)  # published with 2+ types
    other_type: list[str] = field(default_factory=list)  # typed topics published as another
    gone: list[str] = field(default_factory=list)  # subscribed pattern topics no longer published


class TopicSelection:
    """Exact topics (typed or not) and patterns, resolved in a namespace."""

    def __init__(self, topics: Sequence[str], patterns: Sequence[str], namespace: str) -> None:
        """Resolve every entry (``ValueError`` for one that cannot be)."""
        if not topics and not patterns:
            raise ValueError("nothing to record: give topics or topic_patterns")
        exact = dict(_typed(entry, namespace) for entry in topics)
        self.typed = {name: msgtype for name, msgtype in exact.items() if msgtype}
        self.untyped = tuple(name for name, msgtype in exact.items() if not msgtype)
        self.patterns = tuple(dict.fromkeys(absolute_name(p, namespace) for p in patterns))
        self._regexes = [_pattern_regex(pattern) for pattern in self.patterns]

    def matches_pattern(self, topic: str) -> bool:
        """Whether absolute ``topic`` matches one of the patterns."""
        return any(regex.fullmatch(topic) for regex in self._regexes)

    def scan(self, advertised: Mapping[str, Sequence[str]], subscribed: Collection[str]) -> Scan:
        """Return what to subscribe and report, given the graph's topics (name: types)."""
        result = Scan()
        result.other_type = sorted(
            topic
            for topic, msgtype in self.typed.items()
            if advertised.get(topic) and msgtype not in advertised[topic]
        )
        result.gone = sorted(
            topic
            for topic in subscribed
            if topic not in advertised and topic not in self.typed and topic not in self.untyped
            and self.matches_pattern(topic)
        )
        for topic in sorted(advertised.keys() | set(self.untyped)):
            if topic in subscribed or topic in self.typed:
                continue
            if topic not in self.untyped and not self.matches_pattern(topic):
                continue
            types = advertised.get(topic, ())
            if not types:
                result.waiting_for.append(topic)
            elif len(types) > 1:
                result.several_types.append(topic)
            else:
                result.subscribe.append((topic, types[0]))
        return result
