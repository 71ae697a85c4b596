"""The built-in call-record formats (``*.toml``), read by :mod:`ct_ingest.adapters.call_formats`."""
