"""Generate ``src/heritage_ld/rdf/_crm.py``: the closed CIDOC-CRM 7.1.1 namespace (every class and property).

    python scripts/gen_crm_namespace.py [path/to/CIDOC_CRM_v7.1.1.rdfs]

Default input: the conformance copy (``../shared/conformance/vocab/cidoc-crm/CIDOC_CRM_v7.1.1.rdfs``). The output
is sorted and names its source and SHA-256, so a regeneration from the same file changes nothing but the date.
"""

from __future__ import annotations

import datetime
import hashlib
import sys
from pathlib import Path

import rdflib

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "conformance" / "vocab" / "cidoc-crm" / "CIDOC_CRM_v7.1.1.rdfs"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"


def main(argv: list[str]) -> int:
    src = Path(argv[0]) if argv else DEFAULT
    data = src.read_bytes()
    g = rdflib.Graph().parse(data=data, format="xml")
    classes = sorted(str(s)[len(CRM):] for s in g.subjects(rdflib.RDF.type, rdflib.RDFS.Class) if str(s).startswith(CRM))
    props = sorted(str(s)[len(CRM):] for s in g.subjects(rdflib.RDF.type, rdflib.RDF.Property) if str(s).startswith(CRM))
    today = datetime.date.today().isoformat()
    lines = [
        f'"""The closed CIDOC-CRM namespace: generated from {src.name} '
        f"(sha256 {hashlib.sha256(data).hexdigest()[:16]}…) at {today} by scripts/gen_crm_namespace.py.",
        "",
        "Do not edit: regenerate. :func:`crm` fails on a name the official RDFS does not declare.",
        "",
        '>>> crm("E22_Human-Made_Object")',
        "'http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object'",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        '__all__ = ["CLASSES", "NAMESPACE", "PROPERTIES", "crm"]',
        "",
        f'NAMESPACE = "{CRM}"',
        "",
        f"#: The {len(classes)} classes of CIDOC-CRM 7.1.1.",
        "CLASSES: frozenset[str] = frozenset({",
        *[f'    "{c}",' for c in classes],
        "})",
        "",
        f"#: The {len(props)} properties (forward and inverse) of CIDOC-CRM 7.1.1.",
        "PROPERTIES: frozenset[str] = frozenset({",
        *[f'    "{p}",' for p in props],
        "})",
        "",
        "",
        "def crm(name: str) -> str:",
        '    """The IRI of a CRM class or property; raises ``KeyError`` for a name CRM 7.1.1 does not declare."""',
        "    if name not in CLASSES and name not in PROPERTIES:",
        '        raise KeyError(f"{name!r} is not a CIDOC-CRM 7.1.1 class or property")',
        "    return NAMESPACE + name",
        "",
    ]
    out = ROOT / "src" / "heritage_ld" / "rdf" / "_crm.py"
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}: {len(classes)} classes, {len(props)} properties")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
