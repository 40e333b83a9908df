"""The blueprints: search (home), documents (reader), sectors and api."""
