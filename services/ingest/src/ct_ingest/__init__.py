"""The HTTP ingest service: validate contact events, write them to Kafka, answer honestly.

Modules:

- :mod:`ct_ingest.settings`   -- ``IngestSettings``, the one configuration
- :mod:`ct_ingest.core`       -- pure decisions: batch verdicts and reports, record keys,
  API-key lookup and rights, Standard Webhooks signatures, the replay memory, token
  buckets, pseudonymisation of customer identifiers
- :mod:`ct_ingest.publisher`  -- ``EventPublisher``: acknowledged writes, self-healing producer
- :mod:`ct_ingest.auth`       -- ``Gatekeeper``: API keys, rate limits (:mod:`.rate_limit`),
  signatures and replays (:mod:`.signing`); ``Caller``: who posts and what they may post
- :mod:`ct_ingest.metrics`    -- ingest's Prometheus metrics, served at ``GET /metrics``
- :mod:`ct_ingest.routes`     -- the HTTP routes; :mod:`ct_ingest.api` wires the app
- :mod:`ct_ingest.server`     -- ``serve()``: uvicorn on the configured host and port
- :mod:`ct_ingest.errors`     -- the exception tree

Nothing here is imported eagerly, so ``ct_ingest.core`` stays free of I/O libraries.
"""
