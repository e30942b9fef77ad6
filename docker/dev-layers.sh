#!/bin/sh
# Dev image only: split the root lock's export into the dependency layers' lists.
# Usage: dev-layers.sh EXPORT OUT_DIR
# EXPORT: `uv export --frozen --all-packages --no-emit-workspace --no-header
# --no-annotate` (requirements format: an entry's first line starts with its
# normalised name, its hash lines are indented). Each entry goes to the first list
# whose name pattern it matches; option lines (`--index-url ...`) go to every list.
# A list no entry matched stays empty (uv then installs nothing from it).
# Keep the lists and docker/README.md ("Dev image layers") in step.
set -eu
export_file=$1 out=$2
mkdir -p "$out"
lists="1-cuda-libraries 2-cuda-toolkit 3-triton 4-torch 5-rest"
for list in $lists; do : >"$out/$list.txt"; done
awk -v out="$out" -v lists="$lists" '
function list_of(name) {
  # the libraries versioned apart from the CUDA toolkit (cuDNN, cuSPARSELt, NCCL, NVSHMEM)
  if (name ~ /^nvidia-(cudnn|cusparselt|nccl|nvshmem)(-|==)/) return "1-cuda-libraries"
  # the CUDA toolkit wheels (cuBLAS, cuFFT, cuSOLVER, ... and their bindings)
  if (name ~ /^(nvidia|cuda)-/) return "2-cuda-toolkit"
  if (name ~ /^triton==/) return "3-triton"
  if (name ~ /^torch==/) return "4-torch"
  return "5-rest"
}
BEGIN { count = split(lists, all, " ") }
/^#/ || /^[ \t]*$/ { next }
/^-/ {
  for (i = 1; i <= count; i++) print > (out "/" all[i] ".txt")
  next
}
/^[a-z0-9]/ { file = out "/" list_of($1) ".txt" }
/^[ \t]/ && !file { print "dev-layers: an indented line before any entry: " $0 > "/dev/stderr"; exit 1 }
{ print > file }
' "$export_file"
