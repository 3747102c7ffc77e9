"""Validating OAI-PMH responses offline against the official schemas in the shared conformance data.

The driver schema ``OAI-PMH_oai_dc.xsd`` loads OAI-PMH, ``oai_dc`` and ``oai-identifier``; for the ``rdf``
format (``rdf:RDF`` under ``<metadata>``, whose wildcard is strict) a tiny test-only schema declares
``rdf:RDF`` with lax content. Remote schema locations are resolved to the local copies (the folder's README,
recipe B), and a known-bad document is checked too, since an unresolved import silently gives an empty schema.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

LOCAL = {
    "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd": "OAI-PMH.xsd",
    "http://www.openarchives.org/OAI/2.0/oai_dc.xsd": "oai_dc.xsd",
    "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd": "oai-identifier.xsd",
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": "simpledc20021212.xsd",
    "http://www.w3.org/2001/03/xml.xsd": "xml.xsd",
    "http://www.w3.org/2001/xml.xsd": "xml.xsd",
}

RDF_XSD = """<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified"
           targetNamespace="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <xs:element name="RDF">
    <xs:complexType>
      <xs:sequence><xs:any processContents="lax" namespace="##any" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>
      <xs:anyAttribute processContents="lax"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""


def load_oai_schema(here: Path, scratch: Path) -> etree.XMLSchema:
    """The OAI-PMH + oai_dc + oai-identifier (+ rdf:RDF, lax) schema set, resolved offline."""

    class LocalSchemas(etree.Resolver):
        def resolve(self, url, pubid, context):  # type: ignore[no-untyped-def]
            name = LOCAL.get(url)
            return self.resolve_filename(str(here / name), context) if name else None

    (scratch / "rdf-lax.xsd").write_text(RDF_XSD, encoding="utf-8")
    driver = scratch / "driver.xsd"
    imports = "".join(
        f'  <xs:import namespace="{ns}" schemaLocation="{loc}"/>\n'
        for ns, loc in (
            ("http://www.openarchives.org/OAI/2.0/", "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"),
            ("http://www.openarchives.org/OAI/2.0/oai_dc/", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"),
            ("http://www.openarchives.org/OAI/2.0/oai-identifier",
             "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"),
            ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", (scratch / "rdf-lax.xsd").as_uri()),
        )
    )
    # Like the conformance folder's OAI-PMH_oai_dc.xsd driver, plus rdf:RDF for the rdf format.
    driver.write_text(
        '<?xml version="1.0"?>\n<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        f'targetNamespace="urn:x-heritage-ld:test-driver">\n{imports}</xs:schema>\n',
        encoding="utf-8",
    )
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(LocalSchemas())
    return etree.XMLSchema(etree.parse(str(driver), parser))
