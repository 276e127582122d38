import csv,sys
for f in sys.argv[1:]:
    rows=list(csv.DictReader(open(f)))
    # reconnects: successful attempts with attempt >= 1, begun after the first failure of the outage
    fails=[int(r['endNanos']) for r in rows if r['connected']=='false']
    if not fails: print(f,'no failures'); continue
    first_fail=min(fails)
    ok=sorted(int(r['startNanos']) for r in rows if r['connected']=='true' and int(r['startNanos'])>first_fail)
    B=100_000_000
    n=(ok[-1]-ok[0])//B+1
    c=[0]*n
    for t in ok: c[(t-ok[0])//B]+=1
    print(f.split('/')[0], f.split('storm-')[-1][:-13], len(ok), 'window', n/10, 'peak', max(c), 'mean', round(len(ok)/n,1), 'ratio', round(max(c)/(len(ok)/n),2))
