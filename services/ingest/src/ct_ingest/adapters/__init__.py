"""Channel adapters: the formats telephony, email, web and kiosk systems already produce,
mapped to canonical contact events.

Each ``*`` mapper module is pure (source format in, canonical event dicts out, no I/O, no
clock); the few I/O wrappers are named as such.

Mappers (pure):

- :mod:`~ct_ingest.adapters.queue_log`      -- Asterisk ``queue_log`` lines (a stateful fold)
- :mod:`~ct_ingest.adapters.taskrouter`     -- Twilio TaskRouter event callbacks, and their
  ``X-Twilio-Signature`` check
- :mod:`~ct_ingest.adapters.email_gateway`  -- an email gateway's thread events
- :mod:`~ct_ingest.adapters.webform`        -- a site's form handler: submission and reply
- :mod:`~ct_ingest.adapters.kiosk`          -- a reception kiosk's tickets
- :mod:`~ct_ingest.adapters.call_records`   -- per-call CSV records, by a column-mapping format

Shared pieces: :mod:`~ct_ingest.adapters.naming` (deterministic ids, safe names),
:mod:`~ct_ingest.adapters.refusals` (why a payload cannot be mapped),
:mod:`~ct_ingest.adapters.payload_fields` (the webhook payloads' field types) and
:mod:`~ct_ingest.adapters.route_docs` (the routes' OpenAPI descriptions).

I/O wrappers: :mod:`~ct_ingest.adapters.call_formats` (reads format files),
:mod:`~ct_ingest.adapters.call_import` (reads a CSV file), :mod:`~ct_ingest.adapters.tailing`
(follows a growing log through rotation, with a state file), :mod:`~ct_ingest.adapters.sinks`
(a JSON-lines file, or ingest over HTTP), :mod:`~ct_ingest.adapters.settings`
(``AdapterSettings``, env prefix ``CT_ADAPTERS_``). The webhook routes are in
:mod:`ct_ingest.adapter_routes`.
"""
