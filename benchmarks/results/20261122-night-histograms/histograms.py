"""Class histograms per connection (jcmd PID GC.class_histogram), and two servers compared.

  python3 histograms.py per-conn START.txt STEADY.txt CONNECTIONS [TOP]   live bytes and objects per connection
  python3 histograms.py compare A-per-conn.txt B-per-conn.txt             A minus B, by class (what A holds more)
"""
import re
import sys

JCMD_ROW = r'\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)'              # num: instances bytes class
PER_CONN_ROW = r'\s*([\d.]+) B/conn\s+([\d.-]+) inst/conn (\S+)'  # what per-conn prints


def load(path, pattern, bytes_first):
    table = {}
    for line in open(path):
        m = re.match(pattern, line)
        if m:
            first, second = float(m.group(1)), float(m.group(2))
            table[m.group(3)] = (first, second) if bytes_first else (second, first)  # (bytes, instances)
    return table


def minus(a, b):
    """(bytes, instances, class) of a minus b for every class in either, largest first."""
    rows = []
    for cls in set(a) | set(b):
        (ba, ia), (bb, ib) = a.get(cls, (0, 0)), b.get(cls, (0, 0))
        rows.append((ba - bb, ia - ib, cls))
    return sorted(rows, reverse=True)


if sys.argv[1] == 'per-conn':
    n = int(sys.argv[4])
    rows = minus(load(sys.argv[3], JCMD_ROW, False), load(sys.argv[2], JCMD_ROW, False))
    print("total bytes/conn %.0f" % (sum(r[0] for r in rows) / n))
    for size, count, cls in rows[:int(sys.argv[5]) if len(sys.argv) > 5 else 40]:
        print("%8.1f B/conn %7.2f inst/conn %s" % (size / n, count / n, cls))
elif sys.argv[1] == 'compare':
    for size, count, cls in minus(load(sys.argv[2], PER_CONN_ROW, True), load(sys.argv[3], PER_CONN_ROW, True)):
        if abs(size) >= 8:
            print("%7.1f B/conn %6.2f inst/conn %s" % (size, count, cls))
else:
    sys.exit(__doc__)
