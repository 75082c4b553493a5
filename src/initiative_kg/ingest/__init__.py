"""Ingest: from the text of an agency initiative page to a draft in the project's ontology."""
