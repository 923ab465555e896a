#!/bin/bash
# Report progress; snapshot each run's current weights and log into $OUT (fallback if the machine dies).
# usage: bash scripts/gpu/watch.sh SECONDS_TO_WATCH [final]
set -u
: "${OUT:?set OUT to the folder that comes back}"
R=${RUNS:-/root/gruns}; end=$(( $(date +%s) + $1 ))
while [ $(date +%s) -lt $end ]; do
  alive=0; for p in $R/*.pid; do kill -0 $(cat $p) 2>/dev/null && alive=$((alive+1)); done
  [ "${2:-}" = final ] && [ $alive -eq 0 ] && break
  sleep 20
done
nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv
for f in $R/*.args; do
  m=$(basename $f .args)
  echo "== $m alive=$(kill -0 $(cat $R/$m.pid) 2>/dev/null && echo y || echo n)"; tail -n 2 $R/$m/log.csv; tail -c 300 $R/$m.out | tr '\r' '\n' | tail -n 2
  if [ ! -f $R/$m/last.safetensors ]; then
    python3 - $R/$m <<'PY'
import sys, torch
from safetensors.torch import save_file
from poseviz.training.loop import export_state
d=sys.argv[1]; s=torch.load(d+"/last.pt", map_location="cpu", weights_only=True)["model"]
save_file(export_state(s), d+"/snapshot.safetensors")  # flushed denormals: fast CPU evaluation
PY
  fi
  tar -C $R -cf "$OUT"/$m.tar $m/log.csv $m/config.json $(cd $R && ls $m/curves.png 2>/dev/null) $(cd $R && ls $m/best.safetensors 2>/dev/null) $(cd $R && ls $m/last.safetensors 2>/dev/null || echo $m/snapshot.safetensors)
done
tar -C $R -cf "$OUT"/outs.tar $(cd $R && ls *.out *.args t0); ls -la "$OUT" | head; true
