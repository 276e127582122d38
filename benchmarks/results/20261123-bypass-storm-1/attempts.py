#!/usr/bin/env python3
"""Per 100 ms of a storm's reconnect window: attempts begun, attempts that failed, reconnects
completed, and the median and max time a completed reconnect took (Connecting to Connected).
Usage: attempts.py storm-NAME-attempts.csv"""
import csv, sys, statistics
rows = list(csv.DictReader(open(sys.argv[1])))
att = [(int(r['startNanos']), int(r['endNanos']), int(r['attempt']), r['connected'] == 'true') for r in rows]
recon = [a for a in att if a[2] >= 1]
first = min(a[1] for a in recon if a[3])
BIN = 100_000_000
lo = min(a[0] for a in recon)
start_bin = (lo - first) // BIN
last = max(a[1] for a in recon)
print("binMsFromFirstReconnect,begun,failed,reconnected,medianMs,maxMs,attemptsOfReconnected")
for b in range(start_bin, (last - first) // BIN + 1):
    s, e = first + b * BIN, first + (b + 1) * BIN
    begun = sum(1 for a in recon if s <= a[0] < e)
    failed = sum(1 for a in recon if not a[3] and s <= a[1] < e)
    done = [a for a in recon if a[3] and s <= a[1] < e]
    took = [(a[1] - a[0]) / 1e6 for a in done]
    nums = sorted(set(a[2] for a in done))
    print(f"{b*100},{begun},{failed},{len(done)},{statistics.median(took) if took else 0:.0f},{max(took) if took else 0:.0f},{'/'.join(map(str, nums))}")
