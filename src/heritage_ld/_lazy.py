"""Lazy re-exports for package ``__init__`` modules (PEP 562), so that importing one part of heritage-ld does
not import all of it.

``import heritage_ld.bags.validator`` used to load rdflib, requests and the catalogue readers through the
package ``__init__`` files, and every ``heritage-ld`` command paid about 0.7 s for imports it did not use.
A package lists what it re-exports and from where; a name is imported the first time it is asked for, then
kept in the package's namespace. Type checkers read the same names from an ``if TYPE_CHECKING:`` block.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["exports"]


def exports(package: str, namespace: dict[str, Any], names: Mapping[str, str]) -> tuple[
        Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose ``names`` (name -> module) load on first use.

    >>> ns = {}
    >>> getattr_, dir_ = exports("demo", ns, {"sqrt": "math"})
    >>> getattr_("sqrt")(9.0), "sqrt" in ns, "sqrt" in dir_()
    (3.0, True, True)
    >>> getattr_("nothing")
    Traceback (most recent call last):
    ...
    AttributeError: module 'demo' has no attribute 'nothing'
    """

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__
