#!/usr/bin/env bash
# The full-mode run on a borrowed GPU machine (see tools/device.py and
# CONTRIBUTING.md). Run from the repository's root with the machine's own
# Python, after `python tools/device.py bundle` here and with .device carried:
#
#   bash tools/device_run.sh OUT cnn     # the convolutional chapters
#   bash tools/device_run.sh OUT rest    # every other chapter
#   bash tools/device_run.sh OUT bench   # the throughput benchmark
#   bash tools/device_run.sh OUT NB...   # the notebooks named
#
# Each part ends well within the 10 minutes a command may take. Results go to
# OUT: notebooks-PART.tgz (the executed notebooks, with their run records),
# throughput.md (the benchmark table) and PART.log. A notebook that fails is
# reported in the log and the others still run.
set -uo pipefail
out=${1:?usage: tools/device_run.sh OUT PART}
shift
part=${1:-rest}
case "$part" in
  bench) ;;
  cnn) notebooks=(chapters/cnn/*.ipynb) ;;
  rest) notebooks=(chapters/preliminaries.ipynb chapters/vision/*.ipynb chapters/optimization/*.ipynb) ;;
  *) notebooks=("$@"); part=some ;;
esac
python=${PYTHON:-python3}
mkdir -p "$out"
exec > >(tee -a "$out/$part.log") 2>&1

# The notebook-execution stack, from the bundle, into a temporary path.
if compgen -G ".device/wheels/*.whl" >/dev/null; then
  "$python" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/d2lmini-site .device/wheels/*.whl || exit 1
  export PYTHONPATH=/tmp/d2lmini-site
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1 D2LMINI_MODE=full
[ -d .device/data ] && export D2LMINI_DATA="$PWD/.device/data"
"$python" -c "import torch; print('torch', torch.__version__, 'on',
  torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'cpu')"

if [ "$part" = bench ]; then
  "$python" benchmarks/train_throughput.py --out "$out/throughput.md" ${BENCH_FLAGS:-}
  exit $?
fi
work=$(mktemp -d)
"$python" tools/nbtool.py execute-full --out "$work" "${notebooks[@]}"
status=$?
if [ -d "$work/chapters" ]; then
  tar czf "$out/notebooks-$part.tgz" -C "$work" chapters
fi
rm -rf "$work"
exit $status
