"""The aggregator: reads ``sla.metrics.v1`` and serves Prometheus /metrics and the KPI API."""
