"""The HTTP ingest service: validate contact events, write them to Kafka, answer honestly.

Modules:

- :mod:`ct_ingest.settings`   -- ``IngestSettings``, the one configuration
- :mod:`ct_ingest.core`       -- pure decisions: batch verdicts and reports, record keys
- :mod:`ct_ingest.publisher`  -- ``EventPublisher``: acknowledged writes, self-healing producer
- :mod:`ct_ingest.routes`     -- the HTTP routes; :mod:`ct_ingest.api` wires the app
- :mod:`ct_ingest.server`     -- ``serve()``: uvicorn on the configured host and port
- :mod:`ct_ingest.errors`     -- the exception tree

Nothing here is imported eagerly, so ``ct_ingest.core`` stays free of I/O libraries.
"""
