"""Publishing what a build wrote: the static exhibition site, OAI-PMH, a SPARQL store, push to a Graph Store.

Publishing reads the build output folder (``OUT``) and knows nothing of how the artefacts in it were made.
"""

from __future__ import annotations

from heritage_ld.publish.graphstore import PushReport, push_graphs
from heritage_ld.publish.oai import OaiProvider
from heritage_ld.publish.server import make_app, running
from heritage_ld.publish.site import write_site
from heritage_ld.publish.snapshot import Snapshot, make_snapshot, read_snapshot, write_snapshot
from heritage_ld.publish.sparql import SparqlService
from heritage_ld.publish.store import load_store, open_store

__all__ = [
    "OaiProvider",
    "PushReport",
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
