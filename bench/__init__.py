"""Benchmarks of the pipeline against what a user would otherwise write (issue 7).

Run ``python -m bench --help`` (or ``make bench`` / ``make soak``). Every benchmark runs its
baseline in the same run on a freshly started embedded broker, and reports figure, baseline,
ratio, target and whether the target is met; the table goes to stdout and the JSON to
``bench/results/``.
"""
