#!/bin/bash
# Launch all zoo trainings on the GPU machine in the background (setsid), sized to a deadline.
# usage: bash scripts/gpu/start.sh   (each run starts with EPOCHS=400 cosine epochs; resize.sh then fits them to the deadline)
set -u
R=${RUNS:-/root/gruns}; mkdir -p $R
date +%s > $R/t0
nvidia-smi -L; python3 -c "import torch,cv2,safetensors,scipy,tqdm,matplotlib;print('torch',torch.__version__,torch.cuda.is_available())"
ARGS_COMMON="--data ${LSP_DIR:-.carry/lsp} --batch-size 32 --lr 1e-3 --threads 1 --eval-every 20 --eval-limit 200"
declare -A EXTRA=(
 [openpose_lsp]=""
 [cpm_lsp]="--teacher openpose_lsp --distill 0.5"
 [hourglass_lsp]="--teacher openpose_lsp --distill 0.5"
 [hrnet_lsp]="--teacher openpose_lsp --distill 0.5"
 [hrnet_nl_lsp]="--teacher openpose_lsp --distill 0.5"
 [hrnet_dense_lsp]="--teacher openpose_lsp --distill 0.5"
)
for m in "${!EXTRA[@]}"; do
  echo "$ARGS_COMMON ${EXTRA[$m]} --init-from assets/$m.safetensors" > $R/$m.args
  PYTHONUNBUFFERED=1 setsid nohup python3 -m poseviz train --model $m --out $R --epochs ${EPOCHS:-400} $(cat $R/$m.args) > $R/$m.out 2>&1 < /dev/null &
  echo $! > $R/$m.pid
done
echo launched; sleep 5; ls $R
