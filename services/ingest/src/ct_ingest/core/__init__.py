"""Ingest's pure decisions: no Kafka, no HTTP, no clock. Adapters call these and do the I/O."""
