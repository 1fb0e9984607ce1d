"""Full-text search over papers and the summaries a reader may see.

``search.selectors.search`` is the one entry point for pages and the API.
PostgreSQL ranks with weighted ``tsvector`` columns and a GIN index, SQLite
with FTS5 tables; ``search.backends`` contains the SQL of each.
"""
