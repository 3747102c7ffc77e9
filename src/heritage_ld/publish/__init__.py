"""Publishing what a build wrote: the static exhibition site, OAI-PMH, a SPARQL store, push to a Graph Store.

Publishing reads the build output folder (``OUT``) and knows nothing of how the artefacts in it were made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from heritage_ld._lazy import exports

if TYPE_CHECKING:
    from heritage_ld.publish.graphstore import PushReport, push_graphs
    from heritage_ld.publish.oai import OaiProvider
    from heritage_ld.publish.server import make_app, running
    from heritage_ld.publish.site import write_site
    from heritage_ld.publish.snapshot import Snapshot, make_snapshot, read_snapshot, write_snapshot
    from heritage_ld.publish.sparql import SparqlService
    from heritage_ld.publish.sparql_guard import QueryLimits
    from heritage_ld.publish.store import load_store, open_store

# Loaded on first use (see heritage_ld._lazy): a SPARQL worker process imports only what it runs.
__getattr__, __dir__ = exports(__name__, globals(), {
    "PushReport": "heritage_ld.publish.graphstore",
    "push_graphs": "heritage_ld.publish.graphstore",
    "OaiProvider": "heritage_ld.publish.oai",
    "make_app": "heritage_ld.publish.server",
    "running": "heritage_ld.publish.server",
    "write_site": "heritage_ld.publish.site",
    "Snapshot": "heritage_ld.publish.snapshot",
    "make_snapshot": "heritage_ld.publish.snapshot",
    "read_snapshot": "heritage_ld.publish.snapshot",
    "write_snapshot": "heritage_ld.publish.snapshot",
    "SparqlService": "heritage_ld.publish.sparql",
    "QueryLimits": "heritage_ld.publish.sparql_guard",
    "load_store": "heritage_ld.publish.store",
    "open_store": "heritage_ld.publish.store",
})

__all__ = [
    "OaiProvider",
    "PushReport",
    "QueryLimits",
    "Snapshot",
    "SparqlService",
    "load_store",
    "make_app",
    "make_snapshot",
    "open_store",
    "push_graphs",
    "read_snapshot",
    "running",
    "write_site",
    "write_snapshot",
]
