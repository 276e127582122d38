import json, sys, collections, subprocess
out=subprocess.run(['jfr','print','--json','--events','jdk.ExecutionSample',sys.argv[1]],capture_output=True,text=True).stdout
d=json.loads(out)
ev=d['recording']['events']
def name(f):
    m=f['method']; return m['type']['name'].split('/')[-1]+'.'+m['name']
top=collections.Counter(); incl=collections.Counter(); n=0
for e in ev:
    fr=e['values']['stackTrace']['frames']
    if not fr: continue
    n+=1
    top[name(fr[0])]+=1
    seen=set()
    for f in fr:
        k=name(f)
        if k not in seen: seen.add(k); incl[k]+=1
print("samples",n)
for k,v in top.most_common(int(sys.argv[2])): print("%5.1f%% %s"%(100*v/n,k))
print('--incl')
for k,v in incl.most_common(int(sys.argv[3])): print("%5.1f%% %s"%(100*v/n,k))
