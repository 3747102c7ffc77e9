"""What aggregators need that the catalogue lacks: warnings of ``check`` for the OAI-PMH and EDM outputs only.

They concern one output each (:data:`OUTPUT_CODES`) and are reported for the outputs a check is asked about
(``check --for oai --for edm``), and for EDM when the catalogue names a ``provider`` (it means to deliver to an
aggregator): a catalogue that does not care about aggregators is not told about them. They are warnings: a
catalogue without a provider or an OAI-PMH contact still builds every other output; ``check --for`` makes the
warnings of the outputs it names errors. The rules live in :mod:`heritage_ld.model.aggregation`, shared with the EDM emitter, so that
``check`` warns exactly about the records the build leaves out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from heritage_ld.model import CC0, Collection
from heritage_ld.model.aggregation import edm_collection_gaps, edm_item_gaps
from heritage_ld.problems import Location, Problem, report

__all__ = ["OUTPUT_CODES", "aggregator_problems", "blocking"]

#: The warnings that concern each aggregator-facing output: ``check --for OUTPUT`` treats them as errors.
OUTPUT_CODES = {"oai": ("C090",), "edm": ("C091", "C092", "C093", "C094", "C095")}


def blocking(problems: Iterable[Problem], outputs: Iterable[str]) -> list[Problem]:
    """The warnings among ``problems`` that the named outputs (``oai``, ``edm``) cannot do without.

    Raises:
        ValueError: an unknown output name.
    """
    codes: set[str] = set()
    for name in outputs:
        if name not in OUTPUT_CODES:
            raise ValueError(f"unknown output {name!r}; choose from {', '.join(OUTPUT_CODES)}")
        codes.update(OUTPUT_CODES[name])
    return [p for p in problems if p.code in codes]


def aggregator_problems(collection: Collection, outputs: Iterable[str] | None = None, *, toml_line: int = 1,
                        items_file: str = "items.csv", item_lines: Mapping[str, int] | None = None) -> list[Problem]:
    """The OAI-PMH and EDM warnings of a collection read without errors.

    Args:
        outputs: the outputs to check for (``oai``, ``edm``); default: every one. Unknown names raise
            ``ValueError``.
        toml_line: the line of ``[collection]`` in collection.toml (collection-level warnings go there).
        item_lines: each item's line in the items table (item-level warnings go there).

    >>> from heritage_ld.model import MultilingualText
    >>> c = Collection("c", MultilingualText.of(en="C"), "https://example.org/c")
    >>> [p.code for p in aggregator_problems(c)]
    ['C090', 'C091', 'C091']
    """
    wanted = set(OUTPUT_CODES) if outputs is None else set(outputs)
    unknown = wanted - set(OUTPUT_CODES)
    if unknown:
        raise ValueError(f"unknown output {sorted(unknown)[0]!r}; choose from {', '.join(OUTPUT_CODES)}")
    codes = {code for name in wanted for code in OUTPUT_CODES[name]}
    lines = item_lines or {}
    where = Location("collection.toml", toml_line, None, "collection")
    problems: list[Problem] = []
    publisher = collection.publisher
    if not (collection.admin_email or (publisher is not None and publisher.email)):
        problems.append(report("C090", where, field="collection.admin_email"))
    if collection.metadata_license != CC0:
        problems.append(report("C094", where, field="collection.metadata_license", value=collection.metadata_license))
    problems += [report(code, where, **params) for code, params in edm_collection_gaps(collection)]
    for item in collection.items:
        at = Location(items_file, lines.get(item.accession), None, "accession")
        problems += [report(code, at, **params) for code, params in edm_item_gaps(item, collection)]
    return [p for p in problems if p.code in codes]
