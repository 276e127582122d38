import json,sys,collections
d=json.load(open(sys.argv[1])); target=sys.argv[2]; depth=int(sys.argv[3]) if len(sys.argv)>3 else 4
c=collections.Counter(); n=0
for e in d['recording']['events']:
    st=e['values'].get('stackTrace')
    if not st: continue
    fr=st['frames']; names=[f['method']['type']['name'].split('/')[-1]+'.'+f['method']['name']+':'+str(f.get('lineNumber','')) for f in fr]
    for i,nm in enumerate(names):
        if target in nm:
            c[' <- '.join(names[i:i+depth])]+=1; n+=1; break
print(n)
for k,v in c.most_common(8): print(v,k)
