import re,sys
def load(p):
    d={}
    for line in open(p):
        m=re.match(r'\s*([\d.]+) B/conn\s+([\d.-]+) inst/conn (\S+)',line)
        if m: d[m.group(3)]=(float(m.group(1)),float(m.group(2)))
    return d
a=load(sys.argv[1]); b=load(sys.argv[2])
rows=[]
for k in set(a)|set(b):
    ba,ia=a.get(k,(0,0)); bb,ib=b.get(k,(0,0))
    rows.append((ba-bb,ia-ib,ba,bb,k))
rows.sort(reverse=True)
for r in rows:
    if abs(r[0])>=8: print("%7.1f %6.2f  lib %6.1f flux %6.1f %s"%r)
