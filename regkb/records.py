"""The records every part of the product exchanges.

A `Document` is one act (or page) in one language and one version, with its
provision tree flattened in reading order. An `Obligation` is one normative
sentence or clause of a provision. Both are pydantic models so that what is
written to `corpus/` is validated and documented in one place
(`corpus/README.md` describes the same schema for people).
"""
from __future__ import annotations

import datetime
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr

InstrumentType = Literal[
    "directive", "regulation", "delegated_regulation", "implementing_regulation",
    "proposal", "corrigendum", "national_act", "decree", "treaty", "bill",
    "policy_note", "covenant", "advice", "guidance", "news", "other",
]
Jurisdiction = Literal["EU", "NL", "international"]
Status = Literal["proposal", "adopted", "in_force", "repealed", "voluntary", "published"]
ProvisionKind = Literal[
    "title", "preamble", "citation", "recital", "enacting_terms", "part", "chapter",
    "section", "subsection", "article", "paragraph", "subparagraph", "point", "subpoint",
    "indent", "annex", "appendix", "heading", "text", "table", "final", "footnote",
]
Modality = Literal["obligation", "prohibition", "permission", "exemption"]


class ApplicationDate(BaseModel):
    """A date from which (part of) the act applies, as the text states it."""

    date: date
    text: str = Field(description="The wording that states the date, shortened")
    provision_id: str | None = None
    scope: str | None = Field(None, description="To whom / which provisions, if the text says")


class Dates(BaseModel):
    adopted: date | None = None
    published: date | None = None
    entry_into_force: date | None = None
    transposition_deadline: date | None = None
    application: list[ApplicationDate] = []
    version_date: date | None = Field(None, description="Date of this consolidated version")


class Identifiers(BaseModel):
    celex: str | None = None
    eli: str | None = None
    bwb: str | None = None
    kamerstuk: str | None = None
    oj: str | None = Field(None, description="Official Journal reference, e.g. 'OJ L, 2024/1760, 5.7.2024'")
    cellar: str | None = None
    number: str | None = Field(None, description="The act's number as cited, e.g. '2024/1760'")


class Amendment(BaseModel):
    """What an amending act's provision does to another act (indexer/parsing/amendments.py).

    WHY: an amending act's duties are the amended act's duties; lawyers cite them by the amended act ("Article
    29a(1) of Directive 2013/34/EU, as inserted by Article 1(10) of Directive (EU) 2022/2464")."""

    act: str = Field(description="The amended act as the text names it: 'Directive 2013/34/EU'")
    act_celex: str | None = Field(None, description="CELEX of the amended act: '32013L0034'")
    target: str = Field("", description="The place in the amended act: 'Article 29a(1)', 'Artikel 29 bis, lid 1'")
    operation: Literal["inserted", "replaced", "deleted", "added", "amended"]
    by: str = Field(description="Where the amending act says so: 'Article 1(10)', 'l’article 1er, point 10)'")
    quoted: bool = Field(False, description="True: the amended act's own text as quoted; False: the instruction")
    target_document_id: str | None = Field(None, description="The amended act's text in the corpus, when it is there")
    target_provision_id: str | None = None


class Provision(BaseModel):
    """One node of the provision tree, stored flat in reading order."""

    id: str = Field(description="Stable within the document, e.g. 'art_8.par_2.pt_a'")
    kind: ProvisionKind
    number: str | None = Field(None, description="'8', '2', 'a', 'ii', 'I'")
    heading: str | None = None
    text: str = Field("", description="This node's own text, without its children")
    citation: str = Field(description="Human citation: 'Article 8(2), point (a)', 'Artikel 5, eerste lid'")
    parent_id: str | None = None
    level: int = 0
    page: int | None = Field(None, description="Page number, for PDF sources")
    amendment: Amendment | None = Field(None, description="Set on an amending act's instructions and quoted text")


class Link(BaseModel):
    document_id: str
    language: str
    relation: Literal[
        "language_version",
        "earlier_version",
        "later_version",
        "amended_by",
        "amends",
        "corrects",
        "corrected_by",
        "proposal_of",
        "adopted_as",
    ]
    label: str | None = None


class Document(BaseModel):
    """One act or page, in one language and one version."""

    id: str = Field(description="'celex-32024L1760-en', 'bwb-BWBR0035293-nl'")
    act_id: str = Field(description="Groups all languages and versions of one act: 'eu-2024-1760-L'")
    version_id: str = Field(description="Groups the language versions of one version: 'celex-32024L1760'")
    source_id: str = Field(description="Key of the source in config/sources.yaml")
    title: str
    short_title: str | None = None
    instrument_type: InstrumentType
    jurisdiction: Jurisdiction
    language: str
    identifiers: Identifiers = Identifiers()
    dates: Dates = Dates()
    status: Status
    consolidated: bool = False
    source_url: str
    official_url: str | None = Field(None, description="Link to the official text for people")
    alternate_urls: list[str] = Field(
        [],
        description="Other fetched manifestations of this same document (e.g. the Formex zip of an EUR-Lex HTML page)",
    )
    fetched_at: str | None = None
    content_sha256: str | None = None
    content_type: str | None = None
    sectors: list[str] = Field([], description="NACE codes the source itself declares")
    topics: list[str] = []
    links: list[Link] = []
    provisions: list[Provision] = []
    warnings: list[str] = Field([], description="What the parser could not do well")

    _by_id: tuple[int, dict[str, Provision]] | None = PrivateAttr(default=None)

    def provision(self, provision_id: str) -> Provision | None:
        """By id (the first with it), through an index built on first use and rebuilt when provisions are
        added: pages look up many provisions of a long act."""
        if self._by_id is None or self._by_id[0] != len(self.provisions):
            index: dict[str, Provision] = {}
            for p in self.provisions:
                index.setdefault(p.id, p)
            self._by_id = (len(self.provisions), index)
        return self._by_id[1].get(provision_id)

    def articles(self) -> list[Provision]:
        """The act's own articles (not those of another act quoted by an amending article)."""
        return [p for p in self.provisions if p.kind == "article" and not (p.amendment and p.amendment.quoted)]


class Deadline(BaseModel):
    text: str
    date: datetime.date | None = None  # module-qualified: the field name shadows the type in the class body
    relative: str | None = Field(None, description="'P3M after entry into force'")


class Threshold(BaseModel):
    text: str
    metric: Literal["employees", "turnover", "amount", "percentage", "other"]
    value: float
    unit: str | None = None
    comparison: Literal["more_than", "at_least", "less_than", "at_most", "equal"] = "more_than"


class Reference(BaseModel):
    text: str
    target_document_id: str | None = None
    target_provision_id: str | None = None
    act: str | None = None


class TextReference(BaseModel):
    """A cross-reference in a provision's text that resolves to a corpus document.

    WHY persisted: `regkb extract` finds and resolves references once (references/<document_id>.jsonl);
    the reader only draws them as links, so the web process never runs the extractor."""

    document_id: str
    provision_id: str
    start: int = Field(description="Character offset in the provision text")
    end: int
    text: str = Field(description="The wording, as it stands at [start, end) (a stale record is never drawn)")
    target_document_id: str
    target_provision_id: str | None = None


class DefinedTerm(BaseModel):
    """A term an act defines ("‘business partner’ means …"), in one language version of one version.

    WHY persisted: `regkb extract` finds definitions once (terms/<document_id>.jsonl); the term pages and
    the reader's links to definitions only look them up."""

    slug: str = Field(description="The term folded to ASCII, lower case, hyphens: 'business-partner'")
    term: str = Field(description="As the text writes it: 'business partner', 'marktdeelnemer'")
    aliases: list[str] = Field([], description="Other names the definition gives ('IBIP')")
    act_id: str
    document_id: str
    version_id: str
    provision_id: str
    citation: str = Field(description="'Article 3(1), point (f)'")
    language: str
    text: str = Field(description="The definition: the provision's text with its points")
    amends_document_id: str | None = Field(None, description="Quoted in an amending act: the amended act's text "
                                           "(the definition is the wording the amending act gives that act)")


class Entity(BaseModel):
    text: str
    label: str
    start: int
    end: int


class Obligation(BaseModel):
    """One normative sentence or clause, with who must do what, when and under which conditions."""

    id: str
    document_id: str
    provision_id: str
    citation: str
    language: str
    text: str
    start: int = Field(description="Character offset in the provision text")
    end: int
    modality: Modality
    addressee: str | None = Field(None, description="Role key the sentence addresses (config/addressees.yaml)")
    addressee_text: str | None = None
    duty_bearer: str | None = Field(None, description="Role key of who must act in the end: 'Member States shall "
                                    "ensure that companies ...' → companies (else the addressee)")
    action: str | None = None
    conditions: list[str] = []
    deadlines: list[Deadline] = []
    thresholds: list[Threshold] = []
    references: list[Reference] = []
    entities: list[Entity] = []
    sectors: list[str] = []
    topics: list[str] = []
    point_ids: list[str] = Field(
        [], description="Points/indents (own provisions) that complete this sentence; `text` includes them"
    )


class RawResource(BaseModel):
    """One fetched HTTP response as the parsers receive it (the crawler keeps the full WARC record)."""

    url: str = Field(description="The original (live-site) URL")
    final_url: str = Field(description="After redirects, still in live-site terms")
    status: int
    content_type: str = Field(description="Media type without parameters, lower case")
    charset: str | None = Field(None, description="Declared charset, if any (may be wrong)")
    headers: dict[str, str] = {}
    body: bytes
    sha256: str
    fetched_at: str = Field(description="ISO 8601 UTC")
    source_id: str
