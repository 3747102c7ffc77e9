"""What an item's bag says of the item in its RO-Crate (``data/ro-crate-metadata.json``), from the model.

The bag layer knows no catalogue; this module turns an item into the plain JSON values
:class:`~heritage_ld.bags.describe.CrateSpec` carries: the root data entity (the item's title and description
as name and description, the licence, the publisher, ``about`` and ``mainEntity`` pointing at the item), and
contextual entities: the item under its Linked Art IRI (the same IRI as in the RDF and the IIIF manifest) with
its title in each language, ``dateCreated``, ``creator``; the agents; the exhibition and its section.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from heritage_ld.bags.describe import CrateSpec
from heritage_ld.bags.identify import Identification
from heritage_ld.model import Agent, AgentKind, Collection, Item, MultilingualText, UrlScheme

__all__ = ["crate_spec"]


def _texts(text: MultilingualText) -> list[dict[str, str]]:
    """Every language of ``text`` as JSON-LD value objects (``{"@value", "@language"}``), languages sorted."""
    return [{"@language": lang, "@value": text[lang]} if lang else {"@value": text[lang]}
            for lang in sorted(text.languages)]


def _agent(agent: Agent, urls: UrlScheme) -> dict[str, Any]:
    entity: dict[str, Any] = {"@id": urls.agent(agent.key),
                              "@type": "Person" if agent.kind == AgentKind.PERSON else "Organization",
                              "name": agent.name.best()}
    if agent.homepage:
        entity["url"] = agent.homepage
    if agent.same_as:
        entity["sameAs"] = [{"@id": s} for s in agent.same_as]
    return entity


def crate_spec(collection: Collection, item: Item, urls: UrlScheme, *, published: int,
               formats: Mapping[str, Identification]) -> CrateSpec:
    """The RO-Crate description of ``item``'s bag; ``published`` (Unix seconds) dates the crate, ``formats``
    are the identifications already made (by SHA-256 of the content)."""
    iri = urls.object(item.accession)
    agents = {a.agent.key: a.agent for a in (*item.creators, *item.contributors)}
    if collection.publisher is not None:
        agents[collection.publisher.key] = collection.publisher
    licence = item.rights or collection.rights
    title = item.title.best()
    root: dict[str, Any] = {
        "name": title,
        "description": (item.description.best() if item.description.languages else
                        f"Preservation package of {item.accession}, {title}"),
        "datePublished": datetime.fromtimestamp(published, tz=timezone.utc).strftime("%Y-%m-%d"),
        "license": {"@id": licence} if licence else "not stated",
        "about": {"@id": iri},
        "mainEntity": {"@id": iri},
        "identifier": item.accession,
    }
    if collection.publisher is not None:
        root["publisher"] = {"@id": urls.agent(collection.publisher.key)}
        root["author"] = {"@id": urls.agent(collection.publisher.key)}  # who made the package
    entities: list[dict[str, Any]] = []
    subject: dict[str, Any] = {"@id": iri, "@type": "CreativeWork", "name": _texts(item.title),
                               "identifier": item.accession, "url": urls.manifest(item.accession)}
    if item.date is not None:
        subject["dateCreated"] = item.date.text
    if item.creators:
        subject["creator"] = [{"@id": urls.agent(a.agent.key)} for a in item.creators]
    if item.languages:
        subject["inLanguage"] = list(item.languages)
    if licence:
        subject["license"] = {"@id": licence}
        entities.append({"@id": licence, "@type": "CreativeWork", "name": licence})
    exhibition = urls.exhibition(collection.key)
    subject["isPartOf"] = [{"@id": exhibition}]
    entities.append({"@id": exhibition, "@type": "ExhibitionEvent", "name": _texts(collection.title)})
    if item.section:
        section = collection.section(item.section)
        subject["isPartOf"].append({"@id": urls.section(section.key)})
        entities.append({"@id": urls.section(section.key), "@type": "CreativeWork", "name": _texts(section.title),
                         "isPartOf": {"@id": exhibition}})
    entities.append(subject)
    entities += [_agent(a, urls) for _, a in sorted(agents.items())]
    return CrateSpec(root=root, entities=tuple(entities), formats=dict(formats))
