"""Search backends: one interface (`base.SearchBackend`), an embedded engine and Elasticsearch."""
