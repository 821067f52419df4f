"""What people type in the search box, read as a safe SQLite FTS5 MATCH expression.

The syntax (shown in the search box's tooltip and the README):

- words: every article holding all of them (`blair brown`, or `blair AND brown`);
- `budg*`: words starting with "budg";
- `"prime minister"`: the words next to each other (a phrase; `"prime min"*` too);
- `blair OR brown`: either; `-brown` or `NOT brown`: without it;
- brackets group: `(blair OR brown) -election`.

OR, AND and NOT are operators only in capitals, as in web search engines: a lowercase `or`
is a word like any other. Everything else is read as plain words, never as FTS5 syntax:
each word is quoted, so `title:x`, `NEAR`, `^`, a lone `-`, `*` or `"` and unbalanced
brackets cannot make a query fail. Exclusions need something to exclude from: a search of
exclusions alone (`-brown`) is given as `negated`, for the list to exclude those articles.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 20  # brackets nested deeper are read as spaces (FTS5's own limit is near 256)
MAX_TERMS = 200  # a pasted page still searches; words past this are left out

_OPERATORS = {"OR", "AND", "NOT"}
_SPECIAL = '"()'


@dataclass(frozen=True)
class SearchQuery:
    """A MATCH expression ("" when nothing was searched) and whether it names what to leave
    out (the typed search held exclusions only)."""

    match: str = ""
    negated: bool = False


# A parsed search is a tree: ("term", text, prefix) | ("and", [...]) | ("or", [...]) |
# ("not", node). It is compiled to (expression, negated) pairs: FTS5's NOT is binary
# ("a NOT b"), so exclusions are gathered per AND group and put after what they exclude.
_Node = tuple[Any, ...]


def parse_search(typed: str) -> SearchQuery:
    """Read typed text as a search; any string gives a valid MATCH or an empty query."""
    tokens = _tokens(_clean(typed))
    parser = _Parser(tokens)
    tree = parser.expression(0)
    compiled = _compile(tree) if tree is not None else None
    if compiled is None:
        return SearchQuery()
    return SearchQuery(*compiled)


def _clean(typed: str) -> str:
    """Control characters (a pasted line break, NUL) and lone surrogates become spaces."""
    return "".join(
        " " if ch < " " or ch == "\x7f" or "\ud800" <= ch <= "\udfff" else ch for ch in typed
    )


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) pairs: ("(", ""), (")", ""), ("op", OR/AND/NOT), ("-", ""),
    ("word", w), ("phrase", p), ("prefix", "") for a `*` right after a phrase."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append((ch, ""))
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1)
            end = n if end == -1 else end  # an unclosed quote runs to the end
            tokens.append(("phrase", text[i + 1 : end]))
            i = end + 1
            if i < n and text[i] == "*":
                tokens.append(("prefix", ""))
                while i < n and text[i] == "*":
                    i += 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in _SPECIAL:
                i += 1
            word = text[start:i]
            if word in _OPERATORS:
                tokens.append(("op", word))
                continue
            # A leading dash excludes, when something follows it ("-brown", '-"a b"', "-(").
            stripped = word.lstrip("-")
            if stripped != word and (stripped or (i < n and text[i] in _SPECIAL)):
                tokens.append(("-", ""))
                word = stripped
            if word:
                tokens.append(("word", word))
    return tokens


class _Parser:
    """Recursive descent: OR of AND groups of (possibly negated) terms, phrases, groups."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.at = 0
        self.terms = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def expression(self, depth: int) -> _Node | None:
        """Alternatives separated by OR, up to a closing bracket or the end."""
        alternatives = [self._group(depth)]
        while (token := self._peek()) is not None and token == ("op", "OR"):
            self.at += 1
            alternatives.append(self._group(depth))
        kept = [node for node in alternatives if node is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else ("or", kept)

    def _group(self, depth: int) -> _Node | None:
        """Terms side by side (or joined by AND): all of them must match."""
        items: list[_Node] = []
        while (token := self._peek()) is not None:
            if token == ("op", "OR") or (token[0] == ")" and depth > 0):
                break
            if token[0] == ")":  # a closing bracket nothing opened: ignored
                self.at += 1
                continue
            if token == ("op", "AND"):
                self.at += 1
                continue
            node = self._unary(depth)
            if node is not None:
                items.append(node)
        if not items:
            return None
        return items[0] if len(items) == 1 else ("and", items)

    def _unary(self, depth: int) -> _Node | None:
        negations = 0
        while (token := self._peek()) is not None and (token[0] == "-" or token == ("op", "NOT")):
            negations += 1
            self.at += 1
        node = self._primary(depth)
        if node is None or negations % 2 == 0:
            return node
        return ("not", node)

    def _primary(self, depth: int) -> _Node | None:
        token = self._peek()
        if token is None or token == ("op", "OR") or (token[0] == ")" and depth > 0):
            return None
        self.at += 1
        kind, text = token
        if kind == "(":
            if depth >= MAX_DEPTH:
                return None  # too deep: the bracket is read as a space
            inner = self.expression(depth + 1)
            if (closing := self._peek()) is not None and closing[0] == ")":
                self.at += 1  # an unclosed bracket closes at the end
            return inner
        if kind == "op":  # AND/NOT with nothing to join: read as nothing
            return None
        prefix = False
        if kind == "phrase" and (after := self._peek()) is not None and after[0] == "prefix":
            self.at += 1
            prefix = True
        elif kind == "word" and text.endswith("*"):
            text, prefix = text.rstrip("*"), True
        if kind == "prefix" or not _has_token(text) or self.terms >= MAX_TERMS:
            return None
        self.terms += 1
        return ("term", text, prefix)


def _has_token(text: str) -> bool:
    """Whether FTS5's unicode61 tokenizer finds a word in `text` (letters, digits, marks)."""
    return any(
        unicodedata.category(ch)[0] in "LNM" or unicodedata.category(ch) == "Co" for ch in text
    )


def _compile(node: _Node) -> tuple[str, bool] | None:
    """(FTS5 expression, negated): negated means "every article except these"."""
    kind = node[0]
    if kind == "term":
        _, text, prefix = node
        quoted = '"' + text.replace('"', '""') + '"'
        return (quoted + "*" if prefix else quoted), False
    if kind == "not":
        inner = _compile(node[1])
        return None if inner is None else (inner[0], not inner[1])
    parts = [part for part in (_compile(child) for child in node[1]) if part is not None]
    positive = [expr for expr, negated in parts if not negated]
    negative = [expr for expr, negated in parts if negated]
    if kind == "and":
        if not positive:  # -a -b = NOT (a OR b)
            return (_join(negative, "OR"), True) if negative else None
        if not negative:
            return _join(positive, "AND"), False
        return f"{_join(positive, 'AND')} NOT {_join(negative, 'OR')}", False
    # OR: -a OR -b = NOT (a AND b); "a OR -b" cannot be said in FTS5, so the exclusion
    # beside an alternative is dropped (it would let almost everything through anyway).
    if positive:
        return _join(positive, "OR"), False
    return (_join(negative, "AND"), True) if negative else None


def _join(expressions: list[str], operator: str) -> str:
    """Expressions joined by an operator, bracketed so FTS5's precedence never matters."""
    if len(expressions) == 1:
        return expressions[0]
    return "(" + f" {operator} ".join(expressions) + ")"
