"""Rights: which IRIs count as a rights statement (rightsstatements.org) or licence (Creative Commons)."""

from __future__ import annotations

import re

__all__ = ["is_rights_iri"]

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
