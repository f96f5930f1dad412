#!/usr/bin/env python3
"""Prints criterion medians from target/criterion, grouped, with ratios.

   python3 benches/report.py [target/criterion]

For each benchmark group and input size, every function's median is shown
with its ratio to the group's anchor (`sequential` where present, else the
first of rayon/tokio/async_lock/no_watcher)."""
import json
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "target/criterion"


def median(path):
    with open(os.path.join(path, "new", "estimates.json")) as f:
        return json.load(f)["median"]["point_estimate"]


def fmt(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


for group in sorted(os.listdir(root)):
    gpath = os.path.join(root, group)
    if not os.path.isdir(gpath) or group == "report":
        continue
    rows = {}
    for func in sorted(os.listdir(gpath)):
        fpath = os.path.join(gpath, func)
        if func == "report" or not os.path.isdir(fpath):
            continue
        if os.path.exists(os.path.join(fpath, "new", "estimates.json")):
            rows.setdefault("", {})[func] = median(fpath)
            continue
        for param in os.listdir(fpath):
            ppath = os.path.join(fpath, param)
            if os.path.exists(os.path.join(ppath, "new", "estimates.json")):
                rows.setdefault(param, {})[func] = median(ppath)
    print(f"## {group}")
    for param in sorted(rows, key=lambda p: (len(p), p)):
        funcs = rows[param]
        anchor = next((a for a in ("sequential", "rayon", "tokio", "no_watcher") if a in funcs), None)
        cells = []
        for name in sorted(funcs, key=lambda n: (n != "para", n)):
            cell = f"{name} {fmt(funcs[name])}"
            if anchor and name != anchor:
                cell += f" ({funcs[name] / funcs[anchor]:.2f}x {anchor})"
            if name == "para" and "rayon" in funcs and anchor != "rayon":
                cell += f" [{funcs['para'] / funcs['rayon']:.2f}x rayon]"
            cells.append(cell)
        label = f"n={param}: " if param else ""
        print(f"  {label}" + " | ".join(cells))
