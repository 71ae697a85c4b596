"""Supervision files generated from the charter: Prometheus alert rules and Grafana
dashboards whose thresholds are the standards' own numbers.

``python -m deploy.supervision`` rewrites ``deploy/rules/sla_standards.yml`` and
``deploy/grafana/dashboards/*.json`` from the built-in charter (or ``--standards FILE``);
``--check`` only reports whether the committed files are current.
"""
