#!/usr/bin/env python3
"""Searches settings of one deviation rule for every NAB file, scored leave-one-file-out.

usage: bench/nab/search.py DATA_DIR [SCORER]

A fast model of Vigil's deviation rule (one evaluation per 5-minute point; the window average against a ring of at
most 180 past window averages within the baseline, every k-th where the baseline holds more (Baseline.java), learned only while the alert is inactive; `for`, then
`keep_firing_for`), so that a grid of a few hundred settings runs in minutes where `vigil replay` would take hours.
It is a model, not the engine: the scores docs/detection-quality.md reports come from `evaluate.sh`, i.e. from
`vigil replay` itself, which agrees with this model within a few tenths of a point.

Prints the best settings on all files, and the leave-one-file-out score: for each file, the settings that score
best on the OTHER files, scored on that file; the sum is what to expect on series the settings were not chosen on.
"""
import csv, itertools, json, math, os, sys
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
data = sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)
scorer = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "..", "..", "shared", "tools", "nab_score.py")
sys.path.insert(0, os.path.dirname(os.path.abspath(scorer)))
import nab_score  # noqa: E402  (the scorer's own functions: the same rules as its command line)

WINDOWS = json.load(open(os.path.join(data, "windows.json")))
PROFILES = nab_score.load_profiles(os.path.join(data, "profiles.json"))
FILES = sorted(WINDOWS)
SERIES = {}
for name in FILES:
    with open(os.path.join(data, name)) as f:
        rows = [r for r in csv.reader(f)][1:]
    SERIES[name] = ([nab_score.to_epoch(r[0]) for r in rows], np.array([float(r[1]) for r in rows]))

RING = 180  # Baseline.MAX_SAMPLES


def alerts(name, window, baseline, method, z, min_change, for_n, keep_n):
    """Firing times of one deviation rule (direction both) on one series; durations in 5-minute steps."""
    times, values = SERIES[name]
    # The window's average; over the points there are while the series' first window fills, as the engine's.
    avg = np.convolve(values, np.ones(window), "full")[:len(values)] / np.minimum(np.arange(1, len(values) + 1), window)
    stride = -(-baseline // RING)
    cap = max(1, baseline // stride)
    ring, size, head, since = np.empty(cap), 0, 0, 0
    centre = spread = None
    fired, state, held, quiet = [], "inactive", 0, 0
    for i, x in enumerate(avg):
        holds = False
        if not math.isnan(x) and size * 2 >= cap:
            if centre is None:
                s = ring[:size]
                if method == "stddev":
                    centre, spread = s.mean(), s.std()
                else:
                    centre = np.median(s)
                    spread = 1.4826 * np.median(np.abs(s - centre))
            d = x - centre
            score = d / spread if spread > 0 else (0 if d == 0 else math.inf)
            holds = abs(score) > z and abs(d) > min_change * abs(centre)
        if state == "firing":
            quiet = 0 if holds else quiet + 1
            if quiet > keep_n:
                state, quiet = "inactive", 0
        elif holds:
            held = held + 1 if state == "pending" else 1
            state = "pending"
            if held > for_n:
                state = "firing"
                fired.append(times[i])
        else:
            state = "inactive"
        if state == "inactive" and not math.isnan(x):
            if since % stride == 0:
                ring[head] = x
                head, size, centre = (head + 1) % cap, min(size + 1, cap), None
            since += 1
    return fired


def raw_scores(settings):
    return {name: nab_score.score_file(SERIES[name][0], WINDOWS[name], alerts(name, **settings), PROFILES)
            ["raw"]["standard"] for name in FILES}


def normalized(raw, files):
    n = sum(len(WINDOWS[f]["windows"]) for f in files)
    return 100 * (raw + n) / (2 * n)


GRID = [dict(window=w, baseline=b, method=m, z=z, min_change=c, for_n=f, keep_n=k)
        for w, b, m, z, c, f, k in itertools.product(
            (12, 24), (576, 864, 1152, 1440, 2016), ("mad", "stddev"), (3, 4, 5), (0.2, 0.3), (3, 6), (24, 48))]

if __name__ == "__main__":
    table = []
    for i, settings in enumerate(GRID):
        table.append((settings, raw_scores(settings)))
        print(f"{i + 1}/{len(GRID)} {settings} {normalized(sum(table[-1][1].values()), FILES):.1f}", file=sys.stderr)
    best = max(table, key=lambda t: sum(t[1].values()))
    print(f"best on all files: {best[0]}  NAB standard {normalized(sum(best[1].values()), FILES):.1f}")
    held_out = 0.0
    for name in FILES:
        pick = max(table, key=lambda t: sum(v for f, v in t[1].items() if f != name))
        held_out += pick[1][name]
        print(f"  {name:42} chosen on the others: {pick[0]}  its score here {pick[1][name]:.3f}")
    print(f"leave-one-file-out NAB standard {normalized(held_out, FILES):.1f} over {len(GRID)} settings")
