"""Write (or check) the generated supervision files.

python -m deploy.supervision                  # rewrite them from the built-in charter
python -m deploy.supervision --standards F    # ... from your standards file
python -m deploy.supervision --check          # exit 1 if a committed file is stale
python -m deploy.supervision --guide          # print the README's panel guide
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from ct_sla_monitor.core.standards import Standards

from .alert_rules import rules_yaml
from .boards_channels import email_deadlines, reception
from .boards_outcomes import resolution_satisfaction
from .boards_overview import overview
from .boards_phone import phone_queues
from .boards_pipeline import pipeline_health
from .charter import charter
from .panels import Board, board_json, guide_markdown

DEPLOY = Path(__file__).resolve().parent.parent
RULES_FILE = DEPLOY / "rules" / "sla_standards.yml"
DASHBOARDS = DEPLOY / "grafana" / "dashboards"
BOARDS: tuple[Callable[[Standards], Board], ...] = (
    overview,
    phone_queues,
    email_deadlines,
    reception,
    resolution_satisfaction,
    pipeline_health,
)


def boards(s: Standards) -> tuple[Board, ...]:
    """Every dashboard, with the charter's thresholds."""
    return tuple(build(s) for build in BOARDS)


def generated_files(s: Standards) -> dict[Path, str]:
    """Every generated file and its content."""
    files = {RULES_FILE: rules_yaml(s)}
    for board in boards(s):
        text = json.dumps(board_json(board, s.version), indent=2, ensure_ascii=False) + "\n"
        files[DASHBOARDS / f"{board.uid}.json"] = text
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.supervision", description=__doc__)
    parser.add_argument("--standards", type=Path, help="standards file (default: built-in)")
    parser.add_argument("--check", action="store_true", help="only check the files are current")
    parser.add_argument("--guide", action="store_true", help="print the README's panel guide")
    args = parser.parse_args(argv)
    s = charter(args.standards)
    if args.guide:
        sys.stdout.write(guide_markdown(boards(s)))
        return 0
    stale = []
    for path, text in generated_files(s).items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path.relative_to(DEPLOY.parent))
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    verb = "stale" if args.check else "written"
    for path in stale:
        print(f"{verb}: {path}")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    raise SystemExit(main())
