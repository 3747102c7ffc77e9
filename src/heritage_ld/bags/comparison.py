"""Digests compared with a bag's manifests batch by batch, as the hashing workers hand them back.

The validating process compares one batch while the workers hash the next ones, so on many small files the
comparing overlaps the hashing instead of following it. One tight loop per file over a plan made once per
set of algorithms: on 20,000 files a dictionary per file, or a lookup in every manifest of an algorithm
(a tag manifest rarely lists payload files), cost more than the comparisons themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

from heritage_ld.bags.manifest import Manifest
from heritage_ld.problems import Location, Problem, report

__all__ = ["Batch", "Comparison"]

#: One batch of hashing results: ``(path, algorithms, hex digests in that order)``, or why the file could
#: not be read instead of the digests.
Batch = Sequence[tuple[str, tuple[str, ...], Sequence[str] | str]]

_Plan = list[tuple[int, str, dict[str, str]]]


class Comparison:
    """The comparison of digests with ``manifests``: mismatches (B001) in :attr:`problems`, files that could
    not be read in :attr:`failed` (path -> why), and, with ``note_hashed``, which files were hashed with which
    algorithms in :attr:`hashed`.

    >>> m = Manifest("manifest-md5.txt", "md5", {"data/a": "00", "data/b": "11"})
    >>> c = Comparison([m])
    >>> c.add([("data/a", ("md5",), ["00"]), ("data/b", ("md5",), ["22"]), ("data/c", ("md5",), "gone")])
    >>> [(p.code, dict(p.params)["path"]) for p in c.problems], c.failed
    ([('B001', 'data/b')], {'data/c': 'gone'})
    """

    def __init__(self, manifests: Sequence[Manifest], *, note_hashed: bool = False) -> None:
        self.manifests = manifests
        self.problems: list[Problem] = []
        self.failed: dict[str, str] = {}
        self.hashed: dict[tuple[str, ...], list[str]] | None = {} if note_hashed else None
        self._plans: dict[tuple[tuple[str, ...], bool], _Plan] = {}
        # Whether each manifest lists payload files (under data/) and whether it lists others.
        self._lists = [(any(p.startswith("data/") for p in m.entries), any(not p.startswith("data/")
                        for p in m.entries)) if not m.name.startswith("manifest-") else (True, False)
                       for m in manifests]

    def _plan(self, algorithms: tuple[str, ...], payload: bool) -> _Plan:
        """Which digest (by position) to compare with which manifest, for a file of this kind."""
        plan = self._plans.get((algorithms, payload))
        if plan is None:
            plan = self._plans[(algorithms, payload)] = [
                (k, m.name, m.entries) for k, algorithm in enumerate(algorithms)
                for m, lists in zip(self.manifests, self._lists, strict=True)
                if m.algorithm == algorithm and lists[0 if payload else 1]]
        return plan

    def add(self, batch: Batch) -> None:
        """Compare one batch."""
        hashed, plan_for = self.hashed, self._plan
        for path, algorithms, result in batch:
            if isinstance(result, str):
                self.failed[path] = result
                continue
            if hashed is not None:
                hashed.setdefault(algorithms, []).append(path)
            for k, name, entries in plan_for(algorithms, path.startswith("data/")):
                expected = entries.get(path)
                if expected is not None and expected != result[k]:
                    self.problems.append(report("B001", Location(name), path=path, algorithm=algorithms[k],
                                                expected=expected, found=result[k]))
