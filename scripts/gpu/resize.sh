#!/bin/bash
# Re-size every run's cosine to end by t0 + DURATION_S: kill, then resume with the new epoch count.
set -u
D=${1:-1400}; R=${RUNS:-/root/gruns}; t0=$(cat $R/t0); now=$(date +%s)
for f in $R/*.args; do
  m=$(basename $f .args); log=$R/$m/log.csv
  left=$(( t0 + D - now ))
  # Pace of the last 20 epochs (the first ones ran beside fewer runs), 7 % margin for evals and noise.
  read done pace epochs < <(python3 - "$log" "$left" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
n, k = len(rows), min(20, len(rows) - 1)
pace = (float(rows[-1]["wall_s"]) - float(rows[-1 - k]["wall_s"])) / k
print(n, round(pace, 2), n + int(0.93 * float(sys.argv[2]) / pace))
PY
)
  echo "$m: $done epochs at ${pace}s each, ${left}s left -> $epochs epochs"
  kill $(cat $R/$m.pid) 2>/dev/null; sleep 3
  PYTHONUNBUFFERED=1 setsid nohup python3 -m poseviz train --model $m --out $R --epochs $epochs $(cat $f) >> $R/$m.out 2>&1 < /dev/null &
  echo $! > $R/$m.pid
done
