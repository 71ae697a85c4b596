"""Pure core of the SLA monitor: the call lifecycle, windows and call KPIs.

Everything here is plain Python standard library. It imports no broker, stream,
web or metrics framework, never reads the clock (``now`` is always an argument)
and keeps every datetime timezone-aware, in UTC.
"""
