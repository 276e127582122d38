import json,sys,subprocess,collections
for f in sys.argv[1:]:
    out=subprocess.run(['jfr','print','--json','--events','jdk.ExecutionSample','--stack-depth','64',f],capture_output=True,text=True).stdout
    ev=json.loads(out)['recording']['events']
    n=0; c=collections.Counter()
    for e in ev:
        fr=e['values']['stackTrace']['frames']
        if not fr: continue
        n+=1
        t=fr[0]['method']['type']['name']
        pk='heartbeat' if t.startswith('dev/heartbeat') else 'reactor' if t.startswith('reactor/') else 'vertx' if t.startswith('io/vertx') else 'netty' if t.startswith('io/netty') else 'jdk'
        c[pk]+=1
    print(f.split('/')[-1], n, {k: round(100*v/n,1) for k,v in c.most_common()})
