"""Fault-injection tests (issue 8): crashes, duplicates, outages, poison, skew, stalls."""
