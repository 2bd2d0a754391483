"""Personal-data scrubber benchmark: per-kind share of eval cases fully scrubbed, and the
time taken on hostile single-word and random inputs.

A case is fully scrubbed when none of its ``must_remove`` strings is left and every
``must_keep`` string is (``data/eval/PII_README.md``). Each file is scored twice: with a
scrubber that knows no customer names (``Scrubber()``) and with one that knows the demo
store's 500 customers (``assistant/resources/tau2_retail/db.json``), as ``Scrubber.from_session`` would.

    python benchmarks/scrub.py                       # dev set, plus the held-out set if present
    python benchmarks/scrub.py FILE.jsonl ...        # other case files
    python benchmarks/scrub.py --module OLD.py       # score another version of scrub.py
    python benchmarks/scrub.py --size 4000           # timing inputs of another length

Writes ``benchmarks/results/scrub.json`` and prints a summary. Failing cases are listed
only for files that are not held out (``*_test.jsonl`` are scored, never shown).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import re
import string
import sys
import time
from collections import defaultdict
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout

RESULTS = ROOT / "benchmarks" / "results" / "scrub.json"
DEV = ROOT / "data" / "eval" / "pii_cases.jsonl"
HELD_OUT = ROOT / "data" / "eval" / "pii_cases_test.jsonl"
STORE = ROOT / "assistant" / "resources" / "tau2_retail" / "db.json"


def hostile_inputs(size: int) -> dict[str, str]:
    """Single words and random text of ``size`` characters that once took quadratic time."""
    rng = random.Random(0)
    pieces = ["a", "1", ".", "-", "@", "_", " dot ", " at ", "+", "(at)", "W", "#"]
    mixed = "".join(rng.choice(pieces) for _ in range(size))[:size]
    printable = "".join(rng.choice(string.printable) for _ in range(size))
    inputs = {
        "letters": "a" * size,
        "digits": "1" * size,
        "a.a.a": "a." * (size // 2),
        "1-1-1": "1-" * (size // 2),
        "a@a@a": "a@" * (size // 2),
        "a dot a dot": "a dot " * (size // 6),
        "a at a dot": "a at a dot " * (size // 11),
        "1 1 1": "1 " * (size // 2),
        "12 34 12 34": "12 34 " * (size // 6),
        "4111 4111": "4111 " * (size // 5),
        "Mr Mr": "Mr " * (size // 3),
        "i'm i'm": "i'm " * (size // 4),
        "my name is": "my name is " * (size // 11),
        "# spaces": "#" + " " * (size - 1),
        "mixed word": mixed,
        "random printable": printable,
    }
    return {name: text[:size] for name, text in inputs.items()}


def timing(scrub, size: int) -> dict[str, dict[str, float]]:
    """Seconds to scrub each hostile input (best of 3 when fast), at a quarter of ``size`` and
    at ``size``: linear time shows as a 4x ratio, quadratic as 16x."""
    out: dict[str, dict[str, float]] = {}
    for n in (size // 4, size):
        for name, text in hostile_inputs(n).items():
            best = float("inf")
            for _ in range(3):
                start = time.perf_counter()
                scrub(text)
                best = min(best, time.perf_counter() - start)
                if best > 1.0:
                    break
            out.setdefault(name, {})[f"{n}_chars"] = round(best, 4)
    for row in out.values():
        small, large = row.values()
        row["ratio"] = round(large / max(small, 1e-6), 1)
    return out


def load_cases(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def passes(scrubbed: str, case: dict) -> bool:
    return all(s not in scrubbed for s in case["must_remove"]) and all(
        s in scrubbed for s in case["must_keep"]
    )


def score(scrub, cases: list[dict], show_failures: bool) -> dict:
    """Per kind (and for negative controls) the share of cases fully scrubbed."""
    total: dict[str, int] = defaultdict(int)
    good: dict[str, int] = defaultdict(int)
    failures = []
    right = 0
    for case in cases:
        out = scrub(case["text"])
        ok = passes(out, case)
        right += ok
        for kind in case["kinds"] or ["NONE (negative control)"]:
            total[kind] += 1
            good[kind] += ok
        if not ok and show_failures:
            failures.append({"text": case["text"], "scrubbed": out, "note": case["note"]})
    kinds = {k: {"cases": total[k], "share": round(good[k] / total[k], 3)} for k in sorted(total)}
    result = {"cases": len(cases), "fully_right": round(right / max(1, len(cases)), 3)}
    result["kinds"] = kinds
    if show_failures:
        result["failures"] = failures
    return result


def store_names() -> list[str]:
    users = json.loads(STORE.read_text(encoding="utf-8"))["users"].values()
    return [u["name"][part] for u in users for part in ("first_name", "last_name")]


def load_module(path: Path | None) -> ModuleType:
    if path is None:
        from assistant.feedback import scrub

        return scrub
    spec = importlib.util.spec_from_file_location("scrub_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def scrubbers(module: ModuleType) -> dict:
    names = store_names()
    if hasattr(module.Scrubber, "from_names"):
        with_names = module.Scrubber.from_names(names)
    else:  # an older scrub.py
        parts = {p.lower() for n in names for p in re.split(r"[\s\-]+", n) if len(p) >= 2}
        with_names = module.Scrubber(names=frozenset(parts))
    return {"no_names": module.Scrubber(), "store_names": with_names}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="case files (jsonl)")
    parser.add_argument("--module", type=Path, help="score this scrub.py instead of Aisle's")
    parser.add_argument("--size", type=int, default=100_000, help="length of timing inputs")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    files = args.files or [p for p in (DEV, HELD_OUT) if p.exists()]
    module = load_module(args.module)
    configs = scrubbers(module)
    result: dict = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        "python": platform.python_version(),
        "module": str(args.module or "assistant/feedback/scrub.py"),
        "files": {},
    }
    for path in files:
        cases = load_cases(path)
        held_out = path.name.endswith("_test.jsonl")
        result["files"][str(path)] = {
            name: score(s, cases, show_failures=not held_out) for name, s in configs.items()
        }
    result["timing_s"] = timing(configs["store_names"], args.size)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for path, by_config in result["files"].items():
        for name, res in by_config.items():
            print(f"{Path(path).name} [{name}]: {res['fully_right']:.1%} of {res['cases']} cases")
            for kind, k in res["kinds"].items():
                print(f"    {kind:<24} {k['share']:6.1%}  ({k['cases']} cases)")
    print(f"timing (s) on {args.size // 4:,} and {args.size:,} characters, and their ratio:")
    for name, row in result["timing_s"].items():
        small, large, ratio = row.values()
        print(f"    {name:<18} {small:8.4f} {large:8.4f}  x{ratio}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
