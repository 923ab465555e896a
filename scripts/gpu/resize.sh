#!/bin/bash
# Re-size every run's cosine to end by t0 + DURATION_S: kill, then resume with the new epoch count.
set -u
D=${1:-1400}; R=${RUNS:-/root/gruns}; t0=$(cat $R/t0); now=$(date +%s)
for f in $R/*.args; do
  m=$(basename $f .args); log=$R/$m/log.csv
  read done wall < <(python3 - "$log" <<'PY'
import csv,sys
rows=list(csv.DictReader(open(sys.argv[1])))
# recent pace: the last 20 epochs, scaled to look like "all epochs at that pace"
n=len(rows); k=min(20,n-1)
pace=(float(rows[-1]["wall_s"])-float(rows[-1-k]["wall_s"]))/k
print(n, pace*n)
PY
)
  left=$(( t0 + D - now ))
  # wall_s excludes start-up; per-epoch time from the run so far, 7 % margin for evals and noise
  epochs=$(python3 -c "d=$done; w=float('$wall'); print(d + int(0.93*$left/(w/d)) if d else 400)")
  echo "$m: $done epochs in ${wall}s, ${left}s left -> $epochs epochs"
  kill $(cat $R/$m.pid) 2>/dev/null; sleep 3
  PYTHONUNBUFFERED=1 setsid nohup python3 -m poseviz train --model $m --out $R --epochs $epochs $(cat $f) >> $R/$m.out 2>&1 < /dev/null &
  echo $! > $R/$m.pid
done
