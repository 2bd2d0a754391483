"""Hostile messages through the whole turn: seconds per 100 kB message of each shape.

Every shape used to be quadratic or worse in some pattern reader (a 4,000-digit word took
183 s); a turn now reads words of at most ``MAX_WORD`` characters and bounded repetitions.

    python benchmarks/hostile.py [--home H]   # writes benchmarks/results/hostile.json
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import random
import time
import uuid
from pathlib import Path

SIZE = 100_000


def shapes(size: int = SIZE) -> dict[str, str]:
    """Named hostile messages of ``size`` characters (a single word, repeated phrases, noise)."""
    rnd = random.Random(1)
    units = {
        "letters": "a", "digits": "1", "1-1-1": "1-", "a.a.a": "a.", "a@a@a": "a@", "a dot a at": "a dot b at ",
        "a a a": "a ", "1 1 1": "1 ", "12 12": "12 ", "$1 $1": "$1 ", "under 5": "under 5 ", "not the": "not the ",
        "the first": "the first ", "fifty": "fifty ", "order ids": "#W1234567 ", "Mr A": "Mr A ", "????": "?",
    }
    out = {name: (unit * (size // len(unit) + 1))[:size] for name, unit in units.items()}
    out["random printable"] = "".join(rnd.choice("abc 123.,-@#$'\"?!xyz") for _ in range(size))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None, help="an Aisle home with a store and a model")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    from assistant.service import Assistant
    from assistant.settings import Settings, get_settings

    settings = Settings(home=args.home) if args.home else get_settings()
    bot = Assistant(settings).warm_up()
    bot.turn("hi", uuid.uuid4().hex)
    figures = {}
    for name, text in shapes().items():
        t0 = time.perf_counter()
        result = bot.turn(text, uuid.uuid4().hex)
        figures[name] = {"seconds": round(time.perf_counter() - t0, 3), "action": result.action}
        print(f"{name:18s} {figures[name]['seconds']:7.3f} s  {result.action}")
    out = Path(__file__).parent / "results" / "hostile.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
                               "chars": SIZE, "turns": figures}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
