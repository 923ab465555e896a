#!/bin/bash
# Launch all zoo trainings on the GPU machine in the background (setsid), sized to a deadline.
# usage: bash scripts/gpu/start.sh   (each run starts with EPOCHS=400 cosine epochs; resize.sh then fits them to the deadline)
set -u
R=${RUNS:-/root/gruns}; mkdir -p $R
date +%s > $R/t0
nvidia-smi -L; python3 -c "import torch,cv2,safetensors,scipy,tqdm,matplotlib;print('torch',torch.__version__,torch.cuda.is_available())"
# The training mix packed by `python -m poseviz pack-mix --out .carry/data` (validation people included:
# runs select their checkpoint on them, never on LSP test images).
ARGS_COMMON="--data-root ${DATA_DIR:-.carry/data} --batch-size 64 --lr 1e-3 --threads 1 --workers 2 --epoch-size 6000 --eval-every 2 --select best"
declare -A EXTRA=(
 [openpose_lsp]=""
 [cpm_lsp]=""
 [hourglass_lsp]=""
 [hrnet_lsp]=""
 [hrnet_nl_lsp]=""
)
# hrnet_dense_lsp is not trained here: it is hrnet_lsp's backbone with a chart head trained on top
# (see README.md), rebuilt after hrnet_lsp ships, in about 25 minutes of one CPU thread.
for m in "${!EXTRA[@]}"; do
  echo "$ARGS_COMMON ${EXTRA[$m]} --init-from assets/$m.safetensors" > $R/$m.args
  PYTHONUNBUFFERED=1 setsid nohup python3 -m poseviz train --model $m --out $R --epochs ${EPOCHS:-400} $(cat $R/$m.args) > $R/$m.out 2>&1 < /dev/null &
  echo $! > $R/$m.pid
done
echo launched; sleep 5; ls $R
