"""Where the project lives: one place for the address tools write into what they make (``Bag-Software-Agent``,
the PREMIS and OCFL agents).

The address is the ``Homepage`` of the installed distribution's metadata (``[project.urls]`` in
``pyproject.toml``), so a fork or a release that sets its own address is named by its own packages; the
fallback is the same value, for a source tree run without installing.
"""

from __future__ import annotations

from functools import cache
from importlib import metadata

from heritage_ld._version import __version__

__all__ = ["PROJECT_URL", "project_url", "software_agent"]

#: The ``Homepage`` declared in ``pyproject.toml`` (used when the installed metadata gives none).
PROJECT_URL = "https://example.org/heritage-ld"


@cache
def project_url() -> str:
    """The project's address from the installed metadata, else :data:`PROJECT_URL`.

    >>> project_url().startswith("https://")
    True
    """
    try:
        urls = metadata.metadata("heritage-ld").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        urls = []
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "source", "repository") and url.strip():
            return str(url.strip())
    return PROJECT_URL


def software_agent() -> str:
    """``heritage-ld 0.1.0 <https://…>``: what ``Bag-Software-Agent`` says (RFC 8493 §2.2.2).

    >>> software_agent().startswith("heritage-ld ")
    True
    """
    return f"heritage-ld {__version__} <{project_url()}>"
