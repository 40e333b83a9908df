"""The blueprints, one module each: search (home), documents (reader), sectors, api, tracking (timelines, what's new,
compare) and applicability."""
