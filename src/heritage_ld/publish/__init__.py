"""Publishing what a build wrote: the static exhibition site, OAI-PMH, a SPARQL store, push to a Graph Store.

Publishing reads the build output folder (``OUT``) and knows nothing of how the artefacts in it were made.
"""

from __future__ import annotations

from heritage_ld.publish.site import write_site
from heritage_ld.publish.snapshot import Snapshot, make_snapshot, read_snapshot, write_snapshot

__all__ = ["Snapshot", "make_snapshot", "read_snapshot", "write_site", "write_snapshot"]
