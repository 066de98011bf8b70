"""Shared by the fuzz tests: example counts from the chosen hypothesis profile, mutations of
valid files, and ``known_bug`` (``tolerating_known_bugs``): crashes already reported and pinned
by a strict xfail reproducer, tolerated by the fuzzers until fixed (none at present)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from hypothesis import event
from hypothesis import strategies as st

from timescales.testing import profiles

examples = profiles.examples
scaled = profiles.scaled


def known_bug(exc: BaseException) -> str | None:
    """The name of the known engine bug this exception is, or None. Matched narrowly (type,
    message and the function it came from), so that any other crash still fails the fuzzing."""
    # None left: the three this fuzzing found (a list or mapping as a YAML key, deeply nested
    # YAML, a YAML case file that is not UTF-8) are fixed and kept as regression tests.
    del exc
    return None


@contextlib.contextmanager
def tolerating_known_bugs() -> Iterator[None]:
    """Inside: a known bug (``known_bug``) is a hypothesis event; any other crash raises."""
    try:
        yield
    except Exception as exc:
        label = known_bug(exc)
        if label is None:
            raise
        event(f"known bug: {label}")


@st.composite
def text_mutations(draw: st.DrawFn, text: str) -> str:
    """A valid file's text, cut, spliced, repeated or scribbled on."""
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        how = draw(
            st.sampled_from(
                ["truncate", "delete", "insert", "duplicate", "swap", "replace", "indent"]
            )
        )
        if not text:
            break
        at = draw(st.integers(0, len(text)))
        if how == "truncate":
            text = text[:at]
        elif how == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif how == "insert":
            noise = draw(
                st.one_of(
                    st.text(max_size=20),
                    st.sampled_from(
                        [
                            ": ",
                            "- ",
                            "{",
                            "}",
                            "[",
                            "]",
                            "&a ",
                            "*a",
                            "!!python/object:os.system ",
                            "\t",
                            "\n  ",
                            "'",
                            '"',
                            "#",
                            "? ",
                            "%YAML 1.1\n",
                            "---\n",
                            "...\n",
                            "\x00",
                        ]
                    ),
                )
            )
            text = text[:at] + noise + text[at:]
        elif how in ("duplicate", "swap", "indent") and lines:
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if how == "duplicate":
                lines.insert(j, lines[i])
            elif how == "swap":
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines[i] = "  " + lines[i]
            text = "".join(lines)
        else:
            text = text[:at] + draw(st.characters()) + text[at + 1 :]
        lines = text.splitlines(keepends=True)
    return text


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.dates(),
    st.sampled_from(["2023-02-30", "2023-13-01", "23-01-01", "2023-01-01T10:00:00", "", "x" * 300]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def structure_mutations(draw: st.DrawFn, data: Any) -> Any:
    """A parsed valid document with keys dropped, added or renamed, values of the wrong type,
    lists where mappings belong, and so on (applied somewhere in the tree)."""

    def mutate(node: Any, depth: int) -> Any:
        if isinstance(node, dict) and node and depth < 4 and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(node, key=str)))
            node = dict(node)
            node[key] = mutate(node[key], depth + 1)
            return node
        if isinstance(node, list) and node and depth < 4 and draw(st.booleans()):
            i = draw(st.integers(0, len(node) - 1))
            node = list(node)
            node[i] = mutate(node[i], depth + 1)
            return node
        how = draw(st.sampled_from(["replace", "drop", "add", "rename", "wrap"]))
        if how == "replace" or not isinstance(node, dict) or not node:
            return draw(VALUES) if how != "wrap" else [node]
        node = dict(node)
        key = draw(st.sampled_from(sorted(node, key=str)))
        if how == "drop":
            del node[key]
        elif how == "add":
            node[draw(st.text(min_size=1, max_size=10))] = draw(VALUES)
        elif how == "rename":
            node[key + draw(st.sampled_from(["_", "s", "X"]))] = node.pop(key)
        else:
            node[key] = [node[key]]
        return node

    for _ in range(draw(st.integers(1, 3))):
        data = mutate(data, 0)
    return data
