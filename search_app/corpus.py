"""What the reader and the record API read: one snapshot of the corpus store, with the web's look-ups.

The pages read the JSON files `regkb extract` writes, not the search index: a document must be readable
even when the index is stale or the search engine is down. `regkb.corpus.CorpusStore` reloads them when
they change, so a re-extraction shows up without a restart; one request sees one snapshot throughout.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from indexer.analysis.citedby import CitedBy
from indexer.analysis.terms import TermIndex
from indexer.analysis.versions import VersionChains
from regkb.corpus import Corpus, Twin
from regkb.records import Document, Obligation, TextReference


@dataclass
class DocumentSummary:
    """What lists and the language switch need, without the provisions."""

    id: str
    act_id: str
    version_id: str
    title: str
    short_title: str | None
    language: str
    instrument_type: str
    jurisdiction: str
    status: str
    sectors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class WebCorpus:
    """The documents, obligations and references of one corpus snapshot, as the pages look them up."""

    snapshot: Corpus

    def document(self, doc_id: str) -> Document | None:
        """The document with this id, or None when it does not exist or did not load."""
        return self.snapshot.get(doc_id)

    def summaries(self) -> list[DocumentSummary]:
        """Every readable document, without provisions (for lists and language links)."""
        return self.snapshot.derived("web summaries", lambda c: [
            DocumentSummary(d.id, d.act_id, d.version_id, d.title, d.short_title, d.language, d.instrument_type,
                            d.jurisdiction, d.status, list(d.sectors)) for d in c.all()])

    def language_versions(self, doc: Document) -> list[DocumentSummary]:
        """The other language versions of the same version of the act (from links, then by version_id)."""
        linked = {link.document_id for link in doc.links if link.relation == "language_version"}
        versions = [s for s in self.summaries()
                    if s.id != doc.id and (s.id in linked or s.version_id == doc.version_id)]
        return sorted(versions, key=lambda s: s.language)

    def versions(self) -> VersionChains:
        """Every act's version chain (validity, previous/next, deletions), built once per corpus state."""
        return self.snapshot.derived("version chains", lambda c: VersionChains.build(c.all()))

    def cited_by(self) -> CitedBy:
        """Who cites each provision and which acts amended it, across versions and languages (once per state)."""
        return self.snapshot.derived("cited by", lambda c: CitedBy.build(c, self.versions()))

    def terms(self) -> TermIndex:
        """Every defined term, by slug, document and provision (once per corpus state)."""
        return self.snapshot.derived("terms", TermIndex.build)

    def obligations_of(self, doc_id: str) -> list[Obligation]:
        """The obligations extracted from one document, in file order ([] when none)."""
        return self.snapshot.obligations(doc_id) if doc_id in self.snapshot.documents else []

    def obligation(self, obligation_id: str) -> Obligation | None:
        return self.snapshot.obligation(obligation_id)

    def twins(self, obligation_id: str) -> list[Twin]:
        """This obligation in the other language versions (how they are paired: regkb.corpus.Corpus.twins)."""
        return self.snapshot.twins(obligation_id)

    def provision_twins(self, doc_id: str, provision_id: str) -> list[Twin]:
        """This provision in the other language versions of the same act version."""
        return self.snapshot.provision_twins(doc_id, provision_id)

    def links_of(self, doc: Document) -> dict[str, list[TextReference]]:
        """provision id → the references `regkb extract` resolved in its text, in text order. A record whose
        wording no longer stands at its offsets (the document changed since the extraction) or whose target
        no longer loads is not drawn."""
        texts = {p.id: p.text for p in doc.provisions}
        out: dict[str, list[TextReference]] = {}
        for ref in self.snapshot.references(doc.id):
            stands = ref.start < ref.end and texts.get(ref.provision_id, "")[ref.start:ref.end] == ref.text
            if stands and ref.target_document_id in self.snapshot.documents:
                out.setdefault(ref.provision_id, []).append(ref)
        return out
