"""One table of every problem code heritage-ld reports, and the value that carries one.

Codes are prefixed by layer: ``C`` catalogue, ``R`` RDF, ``I`` IIIF, ``B`` bags, ``P`` publishing, ``S`` object
storage, ``X`` execution (a build on a cluster). Code calls
:func:`report` with a code, a :class:`Location` and the template's named parameters; tests assert codes, never
the rendered text. ``docs/problems.md`` is generated from :data:`CODES` by ``scripts/gen_problems_doc.py``.

>>> p = report("C012", Location("items.csv", 14, 3, "date"), field="date", value="1972-13",
...            reason="month 13 does not exist")
>>> p.render(hints=False)
"items.csv:14:3: C012 date '1972-13' is not a valid EDTF date (month 13 does not exist)"
>>> p.hint
'expected YYYY, YYYY-MM, YYYY-MM-DD or an interval such as 1972-12-18/1972-12-29'
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

__all__ = ["CODES", "Code", "Location", "Problem", "Severity", "report"]


class Severity(str, Enum):
    """How bad a problem is: an error stops the work, a warning does not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Code:
    """One row of the problem table."""

    code: str
    severity: Severity
    template: str
    hint: str = ""
    spec: str = ""

    @property
    def params(self) -> frozenset[str]:
        """The named parameters the template needs."""
        return frozenset(f[1] for f in string.Formatter().parse(self.template) if f[1])


E, W = Severity.ERROR, Severity.WARNING

_TABLE: tuple[Code, ...] = (
    # -- catalogue: files ---------------------------------------------------------------------------
    Code("C001", E, "cannot read {what}: {reason}", "check the path and the file's permissions"),
    Code("C002", E, "{what} is not valid UTF-8 (byte 0x{byte} at offset {offset})",
         "save the file as UTF-8 (in a spreadsheet: 'CSV UTF-8')"),
    Code("C003", E, "malformed CSV: {reason}", "check quotes: a cell with a comma or a line break must be quoted"),
    Code("C004", E, "malformed TOML: {reason}", "see https://toml.io for the syntax",
         "https://toml.io/en/v1.0.0"),
    Code("C005", E, "the catalogue folder has no {what}", "a catalogue is a folder with collection.toml and items.csv (or items.xlsx)"),
    Code("C006", E, "row has {found} cells but the header has {expected}", "check for a stray comma or a missing quote"),
    Code("C007", E, "unknown column {column!r}", "{suggestion}known columns are listed in docs/catalogue.md"),
    Code("C008", E, "duplicate column {column!r}", "each column may appear once"),
    Code("C009", E, "reading .xlsx needs the optional extra: pip install 'heritage-ld[xlsx]'"),
    # -- catalogue: values ---------------------------------------------------------------------------
    Code("C010", E, "{field} is required", "fill in the cell"),
    Code("C011", E, "duplicate accession number {value!r} (first used on line {first_line})",
         "accession numbers must be unique"),
    Code("C012", E, "{field} {value!r} is not a valid EDTF date ({reason})",
         "expected YYYY, YYYY-MM, YYYY-MM-DD or an interval such as 1972-12-18/1972-12-29",
         "https://www.loc.gov/standards/datetime/"),
    Code("C013", E, "unknown {what} key {value!r} in {field}", "define it in collection.toml{where}"),
    Code("C014", E, "{field} {value!r} is not a valid absolute IRI ({reason})",
         "an IRI looks like https://www.wikidata.org/entity/Q1858"),
    Code("C015", E, "{field} {value!r} is not a valid BCP 47 language tag", "use a tag such as vi, en, fr or vi-Latn",
         "https://www.rfc-editor.org/rfc/rfc5646"),
    Code("C016", E, "unknown kind {value!r}", "use one of: {choices}"),
    Code("C017", E, "media file {value!r} does not exist", "paths are relative to the catalogue folder"),
    Code("C018", E, "media file {value!r} cannot be read: {reason}", "check the file's permissions"),
    Code("C019", E, "media path {value!r} is refused: {reason}",
         "media files must be inside the catalogue folder: a relative path with '/' and without '..'"),
    Code("C020", E, "rights {value!r} is not a rightsstatements.org or Creative Commons IRI",
         "for example http://rightsstatements.org/vocab/InC/1.0/ or https://creativecommons.org/licenses/by/4.0/"),
    Code("C021", E, "{field} {value!r} is not a number", "write a decimal number such as 24.5 (no unit: the unit is in the column name)"),
    Code("C022", E, "{field} {value!r} is not valid: {reason}"),
    Code("C023", E, "{field} {value!r} is not one of: {choices}"),
    Code("C024", W, "item {value!r} has no media files", "add master (and access) file paths"),
    Code("C025", W, "{field} is empty for every language", "give a value in at least one language"),
    Code("C026", E, "{field} must be {expected}, not {found}"),
    Code("C027", E, "media path {value!r} is not a regular file", "point to a file, not a folder, link or device"),
    Code("C028", E, "{field} {value!r}: latitude must be within -90..90 and longitude within -180..180"),
    Code("C029", E, "access copy list has {found} files but master has {expected}",
         "give one access copy per master file, in the same order, or none"),
    Code("C030", E, "unknown key {key!r} in {table}", "{suggestion}known keys: {choices}"),
    Code("C031", E, "duplicate {what} key {value!r} (first defined on line {first_line})",
         "each key may be defined once"),
    Code("C032", W, "both items.csv and items.xlsx are here: items.csv is read, items.xlsx is ignored",
         "remove or rename the table you do not edit, so that nobody edits the ignored one"),
    Code("C033", E, "{field} {value!r} has the character {char} at position {position}, which an identifier "
                    "cannot hold",
         "identifiers become file names and URLs: use characters a person can see and type (an invisible character "
         "usually comes from a copy and paste; retype the value)"),
    Code("C034", E, "{field} is too long: {length} characters, {encoded} once percent-encoded for URLs and file names",
         "an accession number or key becomes a file name: at most {limit} characters, and at most {encoded_limit} "
         "once percent-encoded (a letter outside A-Z, a-z, 0-9 and - . _ ~ takes 3 to 12 there)"),
    Code("C035", E, "{field} has the control character {char} at position {position}",
         "XML (RDF/XML, OAI-PMH, the site) cannot carry it: remove it (tab and line breaks are fine)",
         "https://www.w3.org/TR/xml/#charsets"),
    Code("C036", E, "a cell is larger than the limit of {limit} characters",
         "a cell that large is usually an unclosed quote: a \" opens a cell that runs to the next \", often many "
         "lines further; check the quotes in the record that starts here"),
    Code("C037", E, "{field} {value!r} has the scheme {scheme!r}, which is not allowed here",
         "use {allowed} (a link such as javascript:, data: or file: would run or read something where the output "
         "is shown)"),
    Code("C038", E, "cells {cells} are merged: the merged cell is read as {first} alone and the others as empty",
         "unmerge the cells and fill in each one (to give several rows the same section, repeat its key in each row)"),
    Code("C039", W, "only the first sheet, {first!r}, is read: {sheets} also hold data and are ignored",
         "keep every item on the first sheet (move or delete the other sheets)"),
    # -- a model built in Python (heritage_ld.catalogue.validate) -------------------------------------
    Code("C070", E, "duplicate accession number {value!r} (items {first} and {second} of the collection)",
         "accession numbers must be unique: each becomes the name of the item's files and its IRI"),
    Code("C071", E, "two different {what}s have the key {value!r}",
         "a key becomes an IRI: give each {what} a key of its own, or use the same object for both"),
    # -- catalogue: files that are not what they seem (red-team of #11) ---------------------------------
    Code("C110", E, "{what} is not a regular file ({kind})",
         "the catalogue's files must be regular files: a FIFO or a device (such as a link to /dev/zero) would be "
         "read forever"),
    Code("C111", E, "{what}: {member} unpacks to {size} bytes ({ratio}× its packed size), more than the limit "
         "of {limit}", "this looks like a zip bomb; save the spreadsheet again from the spreadsheet program"),
    Code("C112", E, "cell {cell} holds a formula ({formula}) with no saved value: it would be read as empty",
         "open the workbook in a spreadsheet program and save it (that stores every formula's value), or type "
         "the value instead of the formula"),
    # -- catalogue: what is inside media files (heritage_ld.catalogue.media_content) -------------------
    Code("C050", E, "media file {value!r} is not an image that can be decoded: {reason}",
         "the file may be truncated or damaged: export it again from the original"),
    Code("C051", E, "media file {value!r} is {width} × {height} pixels ({pixels}), more than the limit of {limit}",
         "this may be a decompression bomb; if the image is genuine, raise the limit with --max-pixels"),
    Code("C052", E, "media file {value!r} is not a PDF whose pages can be read: {reason}",
         "the file may be truncated, damaged or encrypted: save it again as a PDF"),
    # -- catalogue: what aggregators need (heritage_ld.catalogue.aggregators; docs/aggregators.md) -----
    Code("C090", W, "no contact for OAI-PMH: {field} is not set, so /oai cannot answer",
         "OAI-PMH Identify must give an adminEmail: set collection.admin_email to a real, monitored address "
         "(heritage-ld never invents one)",
         "https://www.openarchives.org/OAI/openarchivesprotocol.html#Identify"),
    Code("C091", W, "EDM needs {what}: {field} is not set, so no EDM record is written (other outputs are not "
                    "affected)",
         "name an agent key in {field}", "https://pro.europeana.eu/page/edm-documentation"),
    Code("C092", W, "item {value!r}: its rights {rights!r} are not a statement Europeana accepts in edm:rights, so "
                    "no EDM record is written for it",
         "use a Creative Commons licence or tool, or one of the rightsstatements.org statements InC, InC-EDU, "
         "InC-OW-EU, NoC-NC, NoC-OKLR, CNE"),
    Code("C093", W, "item {value!r} is a document (EDM type TEXT) without a language, so no EDM record is written "
                    "for it",
         "fill in its language column (Europeana requires dc:language for TEXT)"),
    Code("C094", W, "{field} {value!r} is not CC0 1.0: Europeana and DPLA take metadata under CC0 only",
         "http://creativecommons.org/publicdomain/zero/1.0/ is the default when the key is left out"),
    Code("C095", W, "item {value!r} has no rights (its own or the collection's), so no EDM record is written for it",
         "fill in its rights column or collection.rights (edm:rights is mandatory)"),
    # -- rdf -----------------------------------------------------------------------------------------
    Code("R001", E, "{focus}: {path} {message}", "see the shape {shape}"),
    Code("R002", E, "{value!r} cannot be read as {format}: {reason}"),
    Code("R003", W, "{focus} has no {what}; left out of the model"),
    Code("R004", E, "{field} {value!r} is not a valid absolute IRI ({reason})",
         "an IRI looks like https://www.wikidata.org/entity/Q1858", "https://www.rfc-editor.org/rfc/rfc3987"),
    Code("R005", W, "{focus}: {path} {message}", "see the shape {shape}"),
    # -- rdf: reading Linked Art others publish (heritage_ld.rdf.load) -------------------------------
    Code("R006", W, "{focus} has no accession number; the record is keyed by its IRI",
         "an Identifier classified as accession number (AAT 300312355) gives the item its key",
         "https://linked.art/model/object/identity/"),
    Code("R007", W, "{focus}: {what} {value!r} cannot be read ({reason}); left out"),
    Code("R008", W, "{focus}: the JSON-LD context {value!r} is not fetched; terms it defines are not read",
         "only the Linked Art context is known (a copy ships with heritage-ld); expand the document first "
         "or use the Linked Art context", "https://linked.art/api/1.0/json-ld/"),
    Code("R009", W, "{focus}: the record cannot be read ({reason}); left out, the other records are read"),
    Code("R010", W, "{focus}: the JSON-LD context {value!r} is read as the Linked Art v1 context, not fetched",
         "a copy or another version of the Linked Art context; terms that version alone defines are not read",
         "https://linked.art/api/1.0/json-ld/"),
    # -- iiif ----------------------------------------------------------------------------------------
    Code("I001", E, "{value!r} is a IIIF Presentation {version} document; only Presentation 3 is read",
         "upgrade it (for example with the IIIF upgrader) or use a Presentation 3 manifest",
         "https://iiif.io/api/presentation/3.0/"),
    Code("I002", E, "{value!r} is not a IIIF manifest or collection: {reason}"),
    Code("I003", E, "media file {value!r} cannot be read: {reason}"),
    Code("I004", E, "media file {value!r} is {width} × {height} pixels ({pixels}), more than the limit of {limit}",
         "this may be a decompression bomb; if the image is genuine, raise the limit with --max-pixels"),
    # -- bags ----------------------------------------------------------------------------------------
    Code("B001", E, "{path}: checksum mismatch ({algorithm}: expected {expected}, found {found})", "",
         "https://www.rfc-editor.org/rfc/rfc8493#section-3"),
    Code("B002", E, "{path}: listed in {manifest} but missing", "",
         "https://www.rfc-editor.org/rfc/rfc8493#section-3"),
    Code("B003", E, "{path}: in the payload but not listed in {manifest}", "",
         "https://www.rfc-editor.org/rfc/rfc8493#section-3"),
    Code("B004", E, "{file}:{line}: malformed line: {reason}", "",
         "https://www.rfc-editor.org/rfc/rfc8493#section-2.1.3"),
    Code("B005", E, "{path}: path leaves the bag ({reason})", "a bag may only name files inside itself",
         "https://www.rfc-editor.org/rfc/rfc8493#section-5"),
    Code("B006", E, "Payload-Oxum {expected} does not match the payload ({found})", "",
         "https://www.rfc-editor.org/rfc/rfc8493#section-2.2.2"),
    Code("B007", E, "{path}: not a regular file ({kind})", "", "https://www.rfc-editor.org/rfc/rfc8493#section-5"),
    Code("B008", E, "{file}: {reason}", "", "https://www.rfc-editor.org/rfc/rfc8493#section-2.1.1"),
    Code("B009", W, "{file}: {reason}"),
    Code("B010", E, "{path}: symbolic link leaves the bag", "", "https://www.rfc-editor.org/rfc/rfc8493#section-5"),
    Code("B011", E, "{path}: listed more than once in {manifest}", "list each file once",
         "https://www.rfc-editor.org/rfc/rfc8493#section-2.1.3"),
    Code("B012", E, "{path}: listed in fetch.txt but not fetched yet", "run: heritage-ld bag fetch BAG",
         "https://www.rfc-editor.org/rfc/rfc8493#section-2.2.3"),
    Code("B013", E, "{path}: cannot fetch {url}: {reason}", "",
         "https://www.rfc-editor.org/rfc/rfc8493#section-2.2.3"),
    Code("B014", E, "{path} is {kind}; refusing to read or write through it",
         "heritage-ld writes into a bag only through real folders and regular files inside it: replace the link "
         "or special file with the real folder or file, then run the command again",
         "https://www.rfc-editor.org/rfc/rfc8493#section-5"),
    Code("B015", E, "{path}: cannot be updated ({reason}); nothing was written",
         "fix what 'heritage-ld bag validate' reports for this file, then run the command again"),
    Code("B016", W, "BagIt-Version {version} is not a version this tool knows ({known}); checked by the rules "
         "of BagIt {used}", "", "https://www.rfc-editor.org/rfc/rfc8493#section-2.1.1"),
    # -- bags: archive-grade packages (format identification, RO-Crate, OCFL, the archivist's CLI) -----
    Code("B030", W, "{path}: format not identified (no PRONOM signature matched and the fallback found nothing); "
         "recorded as unknown", "the file may be damaged or of a rare format: check it, or describe its format "
         "by hand in the bag's metadata", "https://www.nationalarchives.gov.uk/PRONOM/"),
    Code("B031", E, "--info Bagging-Date={value!r} is not a date", "give the date as YYYY-MM-DD (RFC 8493 §2.2.2)",
         "https://www.rfc-editor.org/rfc/rfc8493#section-2.2.2"),
    Code("B032", W, "{path}: the file name holds '%'; it is stored percent-encoded in the manifests "
         "(%25), which bagit-python and older BagIt tools reject", "rename the file without '%' if the bag "
         "must be read by other tools", "https://www.rfc-editor.org/rfc/rfc8493#section-2.1.3"),
    Code("B033", E, "{path}: the bag {target} would be inside its own source", "write the bag outside the "
         "folders being bagged"),
    Code("B034", E, "{path}: a folder of bags, not a bag", "validate each bag: heritage-ld bag validate "
         "--recursive {path}"),
    Code("B040", E, "{path}: OCFL {ocfl_code} {reason}", "",
         "https://ocfl.io/1.1/spec/validation-codes.html"),
    Code("B041", W, "{path}: OCFL {ocfl_code} {reason}", "",
         "https://ocfl.io/1.1/spec/validation-codes.html"),
    # -- publishing ----------------------------------------------------------------------------------
    Code("P001", E, "{what}: {reason}"),
    Code("P040", E, "this repository has no administrator e-mail, which OAI-PMH Identify requires",
         "set collection.admin_email in collection.toml and rebuild (heritage-ld never invents one)",
         "https://www.openarchives.org/OAI/openarchivesprotocol.html#Identify"),
    # -- publishing: pushing to a remote Graph Store (heritage-ld publish) ---------------------------
    Code("P030", E, "{method} of graph <{graph}>: the connection to the graph store failed: {reason} "
         "(after {attempts} attempt(s))",
         "check the URL and that the server runs; --retries sets how often publish tries again"),
    Code("P031", E, "{method} of graph <{graph}>: no complete answer within {timeout} s (after {attempts} attempt(s))",
         "the server is stalled or very slow: try later, or raise --timeout"),
    Code("P032", E, "{method} of graph <{graph}>: the graph store answered {status} {reason}, a redirect to {target}",
         "publish does not follow redirects (a 302 turns a PUT into a GET): give the final URL to --graph-store",
         "https://www.rfc-editor.org/rfc/rfc9110#section-15.4"),
    Code("P033", E, "{method} of graph <{graph}>: the graph store answered {status} {reason}{detail} "
         "(after {attempts} attempt(s))", "", "https://www.w3.org/TR/sparql11-http-rdf-update/#http-put"),
    Code("P034", E, "{method} of graph <{graph}>: the graph store refused the credentials: {status} {reason}",
         "check --user and --password (or HERITAGE_LD_GRAPH_STORE_PASSWORD) and that this user may write"),
    Code("P035", E, "graph <{graph}>: the store holds {found} triple(s) after the push, {expected} were sent",
         "the server accepted the data but does not hold it: check that --graph-store is the Graph Store endpoint "
         "(Fuseki: .../DATASET/data, Oxigraph: .../store)"),
    Code("P036", E, "graph <{graph}>: cannot count its triples to verify the push: {reason}",
         "give the store's SPARQL query endpoint with --sparql, or --no-verify for a store that cannot be read"),
    Code("P060", E, "{method} of graph <{graph}>: the answer is larger than {limit} bytes; reading stopped there",
         "the server is not a Graph Store, or it is misbehaving: check the URL (a larger graph: raise the limit "
         "with RequestPolicy(max_answer=...))"),
    # -- publishing: what the server's SPARQL endpoint refuses (docs/publishing.md) -------------------
    Code("P002", E, "the query uses {feature}, which would make this server send a request to another address",
         "the public endpoint never makes network requests: run federated queries on your own SPARQL engine "
         "over the downloaded rdf/dataset.nt.gz"),
    Code("P003", E, "the query nests deeper than {limit} levels of braces, brackets and parentheses",
         "flatten the query or split it into several"),
    Code("P004", E, "the query has more than {limit} keywords, operators and punctuation marks",
         "split the query into several, or use VALUES for long lists (terms are not counted)"),
    Code("P005", E, "{field} {value!r} is not an absolute IRI", "a graph name looks like https://example.org/object/1"),
    Code("P006", E, "{what} is {size} bytes; the limit is {limit}", "split the query into several"),
    Code("P007", E, "updates are not allowed: this SPARQL endpoint is read-only",
         "change the catalogue and rebuild; the endpoint follows the new store",
         "https://www.w3.org/TR/sparql11-protocol/#update-operation"),
    # -- execution: running the build on a cluster (docs/scaling.md) ---------------------------------
    Code("X001", E, "cannot use the Dask scheduler at {address}: {reason}",
         "start one (dask scheduler), check the address (tcp://HOST:PORT), or unset DASK_SCHEDULER_ADDRESS to "
         "run on this machine", "https://distributed.dask.org/en/stable/client.html"),
    Code("X002", E, "the Dask scheduler at {address} has no worker after {seconds} s",
         "start workers with: dask worker {address}"),
    Code("X003", E, "a Dask worker died running {task} ({what}) each time it was tried ({reason})",
         "a worker process was killed (out of memory?): give workers more memory (dask worker --memory-limit) "
         "or fewer threads; run the build again: it redoes only what was not recorded",
         "https://distributed.dask.org/en/stable/killed.html"),
    Code("X004", E, "{task} failed on a Dask worker ({what}) after {retries} retries: {error}",
         "the workers must see the catalogue and the output folder at the same paths as this machine "
         "(a shared file system), and run the same heritage-ld version"),
    Code("X005", E, "a worker process of this machine died while the build ran {task} ({reason})",
         "a worker was killed (out of memory?): run with fewer --jobs or --executor threads; run the build again: "
         "it redoes only what was not recorded"),
    # -- object storage (fsspec URLs: s3://, memory://, …) --------------------------------------------
    Code("S001", E, "no file system for {protocol}:// ({reason})",
         "install the package that provides it (pip install 'heritage-ld[s3]' for s3://; see fsspec's list of "
         "implementations for others)", "https://filesystem-spec.readthedocs.io/en/latest/api.html#implementations"),
    Code("S002", E, "{doing} failed: {reason}",
         "check the endpoint, the bucket and the credentials in the backend's usual environment variables or "
         "config (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL, ~/.aws/ for S3); heritage-ld never "
         "shows them"),
    Code("S003", E, "not found ({doing})", "check the URL: bucket and prefix"),
    Code("S004", E, "after upload {path} has {algorithm} {found}, {manifest} says {expected}; the bag was "
         "not published (no bagit.txt written)", "build again: the bag is uploaded again and checked"),
    Code("S005", E, "after upload {path} is listed in {manifest} but missing on the store; the bag was not "
         "published (no bagit.txt written)", "build again: the bag is uploaded again and checked"),
    Code("S006", E, "{option} {value!r} must be a local path, not a URL",
         "it holds SQLite databases and a working copy, which need a local file system"),
    Code("S007", E, "another build of this output folder is running: {holder}",
         "wait for it to end; if it is gone (its machine stopped, the process killed), run again with "
         "--break-lock (Python: break_lock=True). A lock left by a dead process of this machine is taken over "
         "by itself"),
    Code("S008", E, "the build lock was taken over by another build while this one ran ({holder}); nothing more "
         "was uploaded and the ledger copy on the store was left as it is",
         "let that build finish, then build again: this one's work in the local working copy is sent then"),
    Code("S009", E, "a worker could not fetch this media file from the store: {reason}",
         "build again: the catalogue is read again from the store (a file replaced while a build ran is read "
         "as it is now)"),
)

#: Every problem code, by code.
CODES: Mapping[str, Code] = {c.code: c for c in _TABLE}


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: a file, and when known a 1-based line and column, and the field (column name)."""

    file: str
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def render(self) -> str:
        """``file:line:column`` with the parts that are known."""
        out = self.file
        if self.line is not None:
            out += f":{self.line}"
            if self.column is not None:
                out += f":{self.column}"
        return out


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in the user's data, located, with its code and the parameters of its message."""

    code: str
    location: Location
    params: tuple[tuple[str, Any], ...] = field(default=())

    @property
    def spec(self) -> Code:
        """The row of :data:`CODES` for this problem."""
        return CODES[self.code]

    @property
    def severity(self) -> Severity:
        return self.spec.severity

    @property
    def is_error(self) -> bool:
        return self.spec.severity is Severity.ERROR

    @property
    def message(self) -> str:
        """The rendered message without location, e.g. ``C010 title is required``."""
        values = dict(self.params)
        text = self.spec.template.format(**values)
        return f"{self.code} {text}"

    @property
    def hint(self) -> str:
        return self.spec.hint.format(**dict(self.params)) if self.spec.hint else ""

    def render(self, *, hints: bool = True) -> str:
        """``file:line:column: CODE message (hint)``."""
        text = f"{self.location.render()}: {self.message}"
        hint = self.hint
        if hints and hint and hint not in text:
            text += f" ({hint})"
        if self.severity is Severity.WARNING:
            text = text.replace(f": {self.code} ", f": {self.code} warning: ", 1)
        return text

    def get(self, name: str) -> Any:
        """The value of one parameter."""
        return dict(self.params)[name]

    def as_dict(self) -> dict[str, Any]:
        """The problem as JSON-ready values (what ``--json`` prints): code, severity, where, the message
        without location, the hint, and the parameters (numbers kept, anything else as text).

        >>> report("C010", Location("items.csv", 3, 2, "title"), field="title").as_dict()["message"]
        'C010 title is required'
        """
        loc = self.location
        params = {k: v if isinstance(v, (int, float, bool)) or v is None else str(v) for k, v in self.params}
        return {"code": self.code, "severity": self.severity.value, "file": loc.file, "line": loc.line,
                "column": loc.column, "field": loc.field, "message": self.message, "hint": self.hint,
                "params": params}


def report(code: str, location: Location, **params: Any) -> Problem:
    """Make a :class:`Problem`; fails at once (KeyError) if ``code`` is unknown or a parameter is missing."""
    spec = CODES[code]
    needed = spec.params | frozenset(
        f[1] for f in string.Formatter().parse(spec.hint) if f[1]
    )
    missing = needed - params.keys()
    if missing:
        raise KeyError(f"problem {code} needs parameter(s): {', '.join(sorted(missing))}")
    return Problem(code, location, tuple(sorted(params.items())))
