"""Rights: which IRIs count as a rights statement (rightsstatements.org) or licence (Creative Commons)."""

from __future__ import annotations

import re

__all__ = ["europeana_rights", "is_rights_iri"]

# https://rightsstatements.org/page/1.0/ (IRIs are http, with a version and trailing slash).
_RIGHTSSTATEMENTS = re.compile(
    r"^http://rightsstatements\.org/vocab/(InC|InC-OW-EU|InC-EDU|InC-NC|InC-RUU|NoC-CR|NoC-NC|NoC-OKLR|NoC-US|"
    r"CNE|UND|NKC)/1\.0/$"
)
# https://creativecommons.org/licenses/ and /publicdomain/ (http or https, trailing slash optional).
_CREATIVECOMMONS = re.compile(
    r"^https?://creativecommons\.org/(licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)/[1-4]\.0(/[a-z]{2})?"
    r"|publicdomain/(zero/1\.0|mark/1\.0))/?$"
)


def is_rights_iri(iri: str) -> bool:
    """True for a rightsstatements.org statement or a Creative Commons licence / public-domain tool IRI.

    >>> is_rights_iri("http://rightsstatements.org/vocab/InC-EDU/1.0/")
    True
    >>> is_rights_iri("https://creativecommons.org/licenses/by-nc/4.0/")
    True
    >>> is_rights_iri("https://example.org/my-licence")
    False
    """
    return bool(_RIGHTSSTATEMENTS.match(iri) or _CREATIVECOMMONS.match(iri))


# The statements Europeana accepts in edm:rights (its Schematron, ``license_patterns``; the XPath 1.0 port in
# the conformance folder, edm/schematron-xpath1/edm-external-xpath1.sch, rs1..rs8): http only, trailing slash.
_CC = r"http://creativecommons\.org/licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)/"
_EUROPEANA = re.compile(
    "^(" + "|".join((
        r"http://creativecommons\.org/licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd|by-nd-nc)/1\.0/((fi|il|nl)/)?",
        _CC + r"2\.0/((au|at|be|br|ca|cl|hr|uk|fr|de|it|jp|nl|pl|kr|es|tw)/)?",
        _CC + r"2\.1/((au|es|jp)/)",
        _CC + r"2\.5/((ar|au|br|bg|ca|cn|co|hr|dk|hu|in|il|it|mk|my|mt|mx|nl|pe|pl|pt|scotland|si|za|es|se|ch|tw)/)?",
        _CC + r"3\.0/((au|at|br|cl|cn|cr|hr|cz|ec|eg|ee|fr|de|gr|gt|hk|igo|ie|it|lu|nl|nz|no|ph|pl|pt|pr|ro|rs|sg|za"
        r"|es|ch|tw|th|ug|us|ve|vn)/)?",
        _CC + r"4\.0/",
        r"http://creativecommons\.org/publicdomain/(zero|mark)/1\.0/",
        r"http://rightsstatements\.org/vocab/(NoC-NC|NoC-OKLR|InC|InC-EDU|InC-OW-EU|CNE)/1\.0/",
    )) + ")$"
)


def europeana_rights(iri: str) -> str | None:
    """The form of a rights IRI that Europeana accepts in ``edm:rights``, or ``None`` when it accepts none.

    Creative Commons IRIs are written ``http://`` with a trailing slash, as Europeana requires; six of the
    twelve rightsstatements.org statements are accepted (not ``UND``, ``NKC``, ``InC-NC``, ``InC-RUU``,
    ``NoC-CR``, ``NoC-US``).

    >>> europeana_rights("https://creativecommons.org/licenses/by/4.0")
    'http://creativecommons.org/licenses/by/4.0/'
    >>> europeana_rights("http://rightsstatements.org/vocab/InC-EDU/1.0/")
    'http://rightsstatements.org/vocab/InC-EDU/1.0/'
    >>> europeana_rights("http://rightsstatements.org/vocab/UND/1.0/") is None
    True
    """
    value = iri.strip()
    if value.startswith("https://creativecommons.org/"):
        value = "http://" + value[len("https://"):]
    if value.startswith("http://creativecommons.org/") and not value.endswith("/"):
        value += "/"
    return value if _EUROPEANA.match(value) else None
