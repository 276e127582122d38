import sys,re
def load(p):
    d={}
    for line in open(p):
        m=re.match(r'\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)',line)
        if m: d[m.group(3)]=(int(m.group(1)),int(m.group(2)))
    return d
a=load(sys.argv[1]); b=load(sys.argv[2]); n=int(sys.argv[3])
rows=[]
for k in set(a)|set(b):
    ia,ba=a.get(k,(0,0)); ib,bb=b.get(k,(0,0))
    rows.append((bb-ba, ib-ia, k))
rows.sort(reverse=True)
tot=sum(r[0] for r in rows)
print("total bytes/conn %.0f"%(tot/n))
for bytes_,inst,k in rows[:int(sys.argv[4]) if len(sys.argv)>4 else 40]:
    print("%8.1f B/conn %7.2f inst/conn %s"%(bytes_/n, inst/n, k))
