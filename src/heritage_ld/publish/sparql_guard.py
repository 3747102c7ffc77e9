"""What the public SPARQL endpoint refuses before a query reaches the store, and why.

pyoxigraph runs ``SERVICE`` clauses itself: it sends the inner pattern to the named address and returns what
comes back. A public endpoint that did so would let anyone make the server send requests to its own network
(server-side request forgery), so a query that uses ``SERVICE`` is refused before anything is sent. The
check reads the query with a tokenizer that knows SPARQL's strings, IRIs, comments, variables and prefixed
names: ``"SERVICE"`` in a literal, ``<urn:SERVICE>``, a comment or ``?service`` are fine; the keyword in any
case, spaced or commented apart from its IRI, is not. pyoxigraph's parser matches keywords without a word
boundary (``SERVICEx:name`` is ``SERVICE x:name`` to it), so any word or prefix that *starts* with
``service`` is refused. No other part of a query makes pyoxigraph fetch anything (``FROM <…>`` names a graph
of the store; ``LOAD`` is an update, refused with every other update).

pyoxigraph's parser and evaluator recurse once per nesting level and per operator in a chain, and a few
thousand of them overflow the stack (the process dies). So a query is also refused when it is larger than
:attr:`QueryLimits.max_bytes`, nests deeper than :attr:`QueryLimits.max_depth` or has more operators and
punctuation than :attr:`QueryLimits.max_operators`; terms (IRIs, literals, variables, numbers) are not
counted, so a long ``VALUES`` list is fine.

Each refusal is a :class:`heritage_ld.problems.Problem` located in the query (``query:line:column``) with the
HTTP status it is answered with.

>>> refusal("SELECT * WHERE { SERVICE <http://127.0.0.1:8080/sparql> { ?s ?p ?o } }").problem.render(hints=False)
'query:1:18: P002 the query uses SERVICE, which would make this server send a request to another address'
>>> refusal('SELECT ?x WHERE { BIND("SERVICE" AS ?x) }') is None
True
>>> is_update("PREFIX ex: <http://example.org/#a>\\n# a comment\\nINSERT DATA { ex:a ex:b ex:c }")
True
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from heritage_ld.problems import Location, Problem, report

__all__ = ["DEFAULT_LIMITS", "QueryLimits", "Refusal", "graph_refusal", "is_update", "refusal"]


@dataclass(frozen=True, slots=True)
class QueryLimits:
    """How large a query the endpoint takes.

    Args:
        max_bytes: the query's size in UTF-8 bytes.
        max_depth: nesting of ``{``, ``(`` and ``[``.
        max_operators: keywords, operators and punctuation (terms are not counted).
    """

    max_bytes: int = 256 * 1024
    max_depth: int = 64
    max_operators: int = 4000


#: The limits of ``heritage-ld serve``.
DEFAULT_LIMITS = QueryLimits()


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request is not run: the HTTP status and the problem."""

    status: int
    problem: Problem


# SPARQL 1.1 Query §19.8 terminals, enough to tell what can hide a keyword (strings, IRIs, comments) from
# what can be one. Prefixed names stop at '.', so 'ex:o.SERVICE' is read as 'ex:o', '.', 'SERVICE'.
_PN_LOCAL_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<comment>\#[^\n\r]*)
    |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)|\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|\Z)
               |'(?:[^'\\\n\r]|\\.)*'?|"(?:[^"\\\n\r]|\\.)*"?)
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<var>[?$][^\W]+)
    |(?P<pname>(?P<prefix>[^\W\d_][\w\-]*)?:(?:[\w\-:]|%[0-9A-Fa-f]{2}|""" + _PN_LOCAL_ESC + r""")*)
    |(?P<blank>_:[\w\-]+)
    |(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    |(?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
    |(?P<word>[^\W\d][\w]*)
    |(?P<punct>\^\^|\|\||&&|!=|<=|>=|.)""",
    re.VERBOSE | re.DOTALL,
)
_TERMS = frozenset({"string", "iri", "var", "pname", "blank", "lang", "number"})
_OPEN, _CLOSE = frozenset("{(["), frozenset("})]")
# SPARQL 1.1 Update §3 operations: a request whose first keyword (after the prologue) is one is an update.
_UPDATES = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    start: int
    prefix: str | None = None


def _tokens(text: str) -> Iterator[_Token]:
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        assert m is not None and m.lastgroup is not None  # the last alternative matches any character
        kind = m.lastgroup
        if kind == "prefix":  # pragma: no cover - the named group inside pname is never the last one
            kind = "pname"
        if kind not in ("ws", "comment"):
            yield _Token(kind, m.group(), pos, m.group("prefix") if kind == "pname" else None)
        pos = m.end()


def _where(text: str, offset: int) -> Location:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Location("query", line, column)


def _calls_out(token: _Token) -> bool:
    """True for a keyword (or the prefix of a prefixed name) that pyoxigraph may read as ``SERVICE``."""
    word = token.text if token.kind == "word" else (token.prefix or "") if token.kind == "pname" else ""
    return word[:7].upper() == "SERVICE"


def refusal(text: str, limits: QueryLimits = DEFAULT_LIMITS) -> Refusal | None:
    """Why the query ``text`` is refused on the public endpoint, or ``None`` if it may run.

    >>> refusal("SELECT * WHERE " + "{" * 100 + "}" * 100).problem.code
    'P003'
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        return Refusal(413, report("P006", Location("query"), what="the query", size=size, limit=limits.max_bytes))
    depth = operators = 0
    for token in _tokens(text):
        if _calls_out(token):
            return Refusal(400, report("P002", _where(text, token.start), feature=token.text.split(":")[0]))
        if token.kind in _TERMS:
            continue
        operators += 1
        if operators > limits.max_operators:
            return Refusal(400, report("P004", _where(text, token.start), limit=limits.max_operators))
        if token.text in _OPEN:
            depth += 1
            if depth > limits.max_depth:
                return Refusal(400, report("P003", _where(text, token.start), limit=limits.max_depth))
        elif token.text in _CLOSE:
            depth = max(0, depth - 1)
    if is_update(text):
        return Refusal(403, report("P007", Location("query")))
    return None


def is_update(text: str) -> bool:
    """True if ``text`` is a SPARQL Update request (its first operation after the prologue).

    >>> is_update("SELECT * WHERE { ?s ?p ?o }"), is_update("base <urn:x> load <http://example.org/d.ttl>")
    (False, True)
    """
    skip = 0
    for token in _tokens(text):
        if skip:
            skip -= 1
            continue
        word = token.text.upper() if token.kind == "word" else ""
        if word in ("PREFIX", "BASE"):
            skip = 2 if word == "PREFIX" else 1  # PREFIX name: <iri> | BASE <iri>
            continue
        return word in _UPDATES
    return False


def graph_refusal(field: str, values: Sequence[str]) -> Refusal | None:
    """Why a ``default-graph-uri`` or ``named-graph-uri`` value is refused (not an absolute IRI), or ``None``.

    >>> graph_refusal("default-graph-uri", ["not an iri"]).problem.code
    'P005'
    """
    from pyoxigraph import NamedNode

    for value in values:
        try:
            NamedNode(value)
        except (ValueError, TypeError):
            return Refusal(400, report("P005", Location(field), field=field, value=value[:200]))
    return None
