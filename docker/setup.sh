#!/usr/bin/env bash
# The one recipe for a machine or image that serves gradlab to students: docker/Dockerfile's
# build runs it, and CI runs it on every submission (.ci/run), so the recipe cannot rot.
#   1. Debian packages: Jupyter Server and Notebook 6, JupyterHub (its single-user server),
#      nbconvert, bubblewrap (the grading sandbox), Python's venv; a C compiler and OpenBLAS for
#      the native matmuls (native/blas.c; twice the Wasm kernels' speed on a training step);
#   2. gradlab itself: npm dependencies and build, in this checkout;
#   3. optionally JupyterLab and its widget manager, from PyPI, into a venv that also sees
#      Debian's Jupyter (GRADLAB_SETUP_JUPYTERLAB=1);
#   4. the kernelspec, for every user (or under GRADLAB_SETUP_PREFIX);
#   5. the start-up snapshot, built once into GRADLAB_CACHE_DIR if set (an image's students
#      then start from it instead of building their own);
#   6. a check: lesson 01 runs through Jupyter's own client on the installed kernel.
# Run as root (it installs packages and writes system folders). Re-running it changes nothing
# that is already in place.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

PACKAGES=(
  python3-jupyter-server jupyter-notebook jupyterhub jupyter-nbconvert python3-nbclient
  bubblewrap python3-venv gcc libc6-dev libopenblas-dev
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${missing[@]}"
fi

echo "setup: building gradlab in $root"
npm run -s build

if [ -n "${GRADLAB_SETUP_JUPYTERLAB:-}" ]; then
  venv=${GRADLAB_SETUP_VENV:-/opt/gradlab-venv}
  echo "setup: JupyterLab into $venv"
  [ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv --system-site-packages "$venv"
  # PIP_RETRIES=0: a build without PyPI fails in seconds instead of retrying for minutes.
  PIP_RETRIES=${PIP_RETRIES:-0} "$venv/bin/pip" install -q --disable-pip-version-check jupyterlab jupyterlab-widgets
fi

if [ -n "${GRADLAB_SETUP_PREFIX:-}" ]; then
  node bin/gradlab.js install --prefix "$GRADLAB_SETUP_PREFIX"
  export JUPYTER_PATH=$GRADLAB_SETUP_PREFIX/share/jupyter
else
  node bin/gradlab.js install --system
fi

if [ -n "${GRADLAB_CACHE_DIR:-}" ]; then
  mkdir -p "$GRADLAB_CACHE_DIR"
  node bin/gradlab.js snapshot
  # Every user reads it; none may change it.
  chmod -R a+rX,go-w "$GRADLAB_CACHE_DIR"
fi

echo "setup: checking that lesson 01 runs on the installed kernel"
check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
cp notebooks/01-tensors.ipynb "$check/"
(cd "$check" && GRADLAB_BACKEND=cpu /usr/bin/python3 -m nbconvert --to notebook --execute \
  --ExecutePreprocessor.kernel_name=gradlab --ExecutePreprocessor.timeout=300 \
  --output checked.ipynb 01-tensors.ipynb >/dev/null)
/usr/bin/python3 - "$check/checked.ipynb" <<'PY'
import json, sys
cells = json.load(open(sys.argv[1]))["cells"]
errors = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
ran = sum(1 for c in cells if c["cell_type"] == "code" and c.get("execution_count"))
if errors or ran == 0:
    sys.exit(f"setup: lesson 01 failed on the installed kernel: {errors[:1] or 'no cell ran'}")
print(f"setup: lesson 01 ran on the installed kernel ({ran} cells)")
PY
lab=
if [ -n "${GRADLAB_SETUP_JUPYTERLAB:-}" ]; then lab=" --python $venv/bin/python"; fi
echo "setup: done. A hub on this machine: node $root/bin/gradlab.js hub-config$lab -o jupyterhub_config.py (docs/classroom.md)"
