"""Summarise what bench/load.py --profile recorded.

For each py-spy file (collapsed stacks, `--format raw`): the share of samples by package
of the innermost frame, the functions with the most samples of their own, and the
functions most often on the stack (inclusive), ours (bot/, actions/) first. For Rasa's
timings (rasa_timing.jsonl, bench/rasa_timing/sitecustomize.py): mean, p50 and p95 per
message of each stage and its share of the total.

    .venv/bin/python bench/profile_summary.py var/bench/profile [--top 20]
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import statistics
from pathlib import Path

FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^():]*?)(?::(?P<line>\d+))?\)$")


def package_of(file: str) -> str:
    """A short name for where a frame's code lives."""
    if "site-packages/" in file:
        return file.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    for ours in ("bot/", "actions/", "devtools/"):
        if f"/{ours}" in file or file.startswith(ours):
            return ours.rstrip("/") + "/" + file.split(ours, 1)[1].split("/", 1)[0]
    if "/lib/python3" in file:
        return "stdlib:" + file.rsplit("/", 1)[-1].removesuffix(".py")
    return file or "?"


def parse(path: Path) -> list[tuple[list[tuple[str, str]], int]]:
    """Stacks (outermost first) of (function, file) and their sample counts."""
    stacks = []
    for line in path.read_text(errors="replace").splitlines():
        head, _, count = line.rpartition(" ")
        if not head or not count.isdigit():
            continue
        frames = []
        for part in head.split(";"):
            match = FRAME.match(part.strip())
            frames.append((match["function"], match["file"]) if match else (part.strip(), ""))
        stacks.append((frames, int(count)))
    return stacks


def summarise_stacks(path: Path, top: int) -> None:
    stacks = parse(path)
    total = sum(count for _, count in stacks)
    print(f"\n== {path.name}: {total} samples")
    if not total:
        return
    packages: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    for frames, count in stacks:
        # Skip thread-boilerplate frames at the leaf (e.g. a lock wait in a worker).
        function, file = frames[-1]
        packages[package_of(file)] += count
        own[f"{function} ({package_of(file)})"] += count
        seen = set()
        for function, file in frames:
            key = f"{function} ({file.split('site-packages/')[-1]})"
            if key not in seen:
                seen.add(key)
                inclusive[key] += count
    print("  innermost frame by package:")
    for name, count in packages.most_common(top):
        print(f"    {count / total:6.1%}  {name}")
    print("  own samples by function:")
    for name, count in own.most_common(top):
        print(f"    {count / total:6.1%}  {name}")
    print("  on the stack (inclusive), our code:")
    ours = [
        (k, v)
        for k, v in inclusive.most_common()
        if any(f"{c}{ours}" in k for c in "(/" for ours in ("bot/", "actions/"))
    ]
    for name, count in ours[:top]:
        print(f"    {count / total:6.1%}  {name}")
    print("  on the stack (inclusive), everything:")
    for name, count in inclusive.most_common(top):
        print(f"    {count / total:6.1%}  {name}")


def summarise_rasa(path: Path) -> None:
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if not records:
        return
    for record in records:
        record.pop("sender", None)
        record.pop("start", None)
        record["actions_other"] = record.get("actions", 0.0) - record.get("action_server", 0.0)
        known = ("tracker_load", "tracker_save", "nlu", "policies", "actions")
        record["rest"] = record["total"] - sum(record.get(k, 0.0) for k in known)
    stages = (
        "tracker_load", "nlu", "policies", "action_server", "actions_other",
        "tracker_save", "rest", "total",
    )  # fmt: skip
    total_mean = statistics.fmean(r["total"] for r in records)
    print(f"\n== Rasa, per message ({len(records)} messages, wall time in ms)")
    print(f"    {'stage':15} {'mean':>7} {'p50':>7} {'p95':>7} {'share':>6}")
    for stage in stages:
        values = sorted(r.get(stage, 0.0) * 1000 for r in records)
        mean = statistics.fmean(values)
        p95 = values[min(len(values) - 1, round(0.95 * len(values)) - 1)]
        print(
            f"    {stage:15} {mean:7.1f} {statistics.median(values):7.1f} {p95:7.1f}"
            f" {mean / (total_mean * 1000):6.0%}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    for path in sorted(args.folder.glob("*.txt")):
        summarise_stacks(path, args.top)
    timing = args.folder / "rasa_timing.jsonl"
    if timing.exists():
        summarise_rasa(timing)


if __name__ == "__main__":
    main()
