"""Kafka plumbing shared by the services: client settings, topics, the embedded broker."""
