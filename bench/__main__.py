"""``python -m bench [NAME ...]``: run the benchmarks in turn (all of them by default).

Each is a module ``bench.bench_<name>`` with a ``main()`` that prints its figures. Names:
tariffs, locations, tokens, pull, push, authorize_under_load (``make bench`` runs them all).
"""

from __future__ import annotations

import importlib
import sys
import time

BENCHES = ["tariffs", "locations", "tokens", "pull", "push", "authorize_under_load"]


def main(argv: list[str]) -> int:
    names = argv or BENCHES
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}: choose from {', '.join(BENCHES)}")
        return 2
    for name in names:
        print(f"== {name} " + "=" * (60 - len(name)), flush=True)
        started = time.perf_counter()
        importlib.import_module(f"bench.bench_{name}").main()
        print(f"({name}: {time.perf_counter() - started:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
