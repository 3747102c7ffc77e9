"""Rights IRIs: rightsstatements.org statements (http, versioned) and Creative Commons licences and tools."""

from __future__ import annotations

import pytest

from heritage_ld.model import is_rights_iri


@pytest.mark.parametrize("iri", [
    "http://rightsstatements.org/vocab/InC/1.0/",
    "http://rightsstatements.org/vocab/InC-EDU/1.0/",
    "http://rightsstatements.org/vocab/NoC-US/1.0/",
    "http://rightsstatements.org/vocab/CNE/1.0/",
    "https://creativecommons.org/licenses/by/4.0/",
    "http://creativecommons.org/licenses/by-nc-sa/3.0/vn/",
    "https://creativecommons.org/licenses/by-nd/4.0",
    "https://creativecommons.org/publicdomain/zero/1.0/",
    "https://creativecommons.org/publicdomain/mark/1.0/",
])
def test_rights_iris(iri: str) -> None:
    assert is_rights_iri(iri)


@pytest.mark.parametrize("iri", [
    "https://rightsstatements.org/vocab/InC/1.0/",  # the statements' IRIs are http
    "http://rightsstatements.org/vocab/InC/1.0",  # and end with a slash
    "http://rightsstatements.org/vocab/InC/2.0/",
    "http://rightsstatements.org/vocab/Foo/1.0/",
    "https://creativecommons.org/licenses/by/5.0/",
    "https://creativecommons.org/licenses/nc/4.0/",
    "https://example.org/licence",
    "",
])
def test_not_rights_iris(iri: str) -> None:
    assert not is_rights_iri(iri)
