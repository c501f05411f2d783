"""python -m orchestration.samples --out DIR --start YYYY-MM-DD --days N --scale X [--seed N]"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from orchestration import samples


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.samples",
        description=samples.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, default=Path("data/landing"))
    parser.add_argument("--start", type=date.fromisoformat, default=date(2025, 7, 1))
    parser.add_argument("--days", type=int, default=92)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    manifest = samples.generate(args.out, args.start, args.days, args.scale, args.seed)
    rows = sum(entry["rows"] for entry in manifest["sources"].values())
    print(f"wrote {len(manifest['sources'])} sources, {rows} rows into {args.out}")


if __name__ == "__main__":
    main()
