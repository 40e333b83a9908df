"""Obligations, entities, sectors and topics from legal text (English and Dutch).

- `pipeline.build_pipeline(lang)`: en_core_web_sm (no parser) or blank Dutch + lookup lemmatizer, plus the
  registered components of `components.py` (regkb_legal_sentences, regkb_entities, regkb_normative,
  regkb_fields, regkb_classify), applied with `nlp.pipe` to candidate sentences only.
- `pipeline.extract_document(doc)`: `regkb.records.Obligation` records (what `regkb extract` writes).
- Word lists live in config/: legal_cues.yaml, addressees.yaml, topics.yaml. Sectors are not words: a record
  concerns the sectors its instrument or scope provision declares (`sectors.py`, config/sources.yaml, nace.yaml).
- `evaluate.py` scores against tests/gold/*.jsonl (references + hashes, no text) next to a naive baseline;
  `mirror.py` reads the offline mirror directly so the gold set works without a crawl.
"""
