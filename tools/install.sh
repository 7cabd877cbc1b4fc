#!/usr/bin/env bash
# Install mmwsss and its OpenMMLab stack into the active Python environment.
#
#   bash tools/install.sh [--with-crf]
#
# - keeps an installed torch; installs torch (${TORCH_SPEC:-torch==2.13.0})
#   only if none is importable;
# - keeps a working mmcv with compiled ops; otherwise builds the full
#   mmcv==2.1.0 (ops included) against the installed torch, once: the wheel is
#   cached in pip's cache folder under a name that records the torch version,
#   Python and CUDA, and reused by later installs (the first build takes about
#   13 minutes on 2 CPU cores);
# - installs mmengine 0.10.x, mmsegmentation 1.2.2, ftfy, regex, opencv and
#   numpy, then mmwsss itself (editable) with its test requirements;
# - --with-crf also installs the optional dense CRF (pydensecrf2);
# - verifies `import mmcv.ops`, `import mmseg.models`, `import mmwsss`.
# PYTHON selects the interpreter (default: python). Torch is pinned to the
# installed version during the whole install, so nothing replaces it.
set -euo pipefail

PY=${PYTHON:-python}
MMCV_VERSION=2.1.0
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WITH_CRF=0
for arg in "$@"; do
  case "$arg" in
    --with-crf) WITH_CRF=1 ;;
    *) echo "install.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

step() { printf '\n==> %s\n' "$*"; }
fail() { printf '\ninstall.sh: FAILED: %s\n' "$*" >&2; exit 1; }
pip_install() { "$PY" -m pip install --disable-pip-version-check "$@"; }

command -v "$PY" >/dev/null || fail "no Python interpreter '$PY' (set PYTHON)"
"$PY" -m pip --version >/dev/null || fail "'$PY -m pip' does not work"

step "torch"
if "$PY" -c 'import torch' 2>/dev/null; then
  echo "keeping the installed torch"
else
  pip_install "${TORCH_SPEC:-torch==2.13.0}" || fail "could not install torch"
fi
TORCH_VERSION=$("$PY" -c 'import torch; print(torch.__version__)') \
  || fail "torch does not import"
TORCH_CUDA=$("$PY" -c 'import torch; print(torch.version.cuda or "cpu")')
PY_TAG=$("$PY" -c 'import sys; print("cp%d%d" % sys.version_info[:2])')
echo "torch $TORCH_VERSION ($TORCH_CUDA), $PY_TAG"
CONSTRAINTS=$(mktemp)
trap 'rm -f "$CONSTRAINTS"' EXIT
echo "torch==$TORCH_VERSION" > "$CONSTRAINTS"

mmcv_ok() {
  "$PY" - <<'PY' 2>/dev/null
import mmcv, mmcv.ops
from mmengine.utils import digit_version
v = digit_version(mmcv.__version__)
assert digit_version('2.0.0rc4') <= v < digit_version('2.2.0')
PY
}

step "mmengine"
pip_install -c "$CONSTRAINTS" 'mmengine>=0.10.0,<1.0.0' \
  || fail "could not install mmengine"

step "mmcv $MMCV_VERSION with compiled ops"
if mmcv_ok; then
  echo "keeping the installed mmcv (ops import)"
else
  CACHE_ROOT=$("$PY" -m pip cache dir 2>/dev/null || echo "$HOME/.cache/pip")
  WHEEL_DIR="$CACHE_ROOT/mmwsss/mmcv-$MMCV_VERSION-torch$TORCH_VERSION-$TORCH_CUDA-$PY_TAG"
  mkdir -p "$WHEEL_DIR"
  for attempt in cached build; do
    WHEEL=$(ls "$WHEEL_DIR"/mmcv-*.whl 2>/dev/null | head -n 1 || true)
    if [ -z "$WHEEL" ]; then
      echo "building mmcv $MMCV_VERSION against torch $TORCH_VERSION (about 13 min on 2 cores, once)"
      BUILD_ENV=$(mktemp -d)
      LOG="$WHEEL_DIR/build.log"
      "$PY" -m venv --system-site-packages "$BUILD_ENV/venv" \
        || fail "could not create a build environment"
      "$BUILD_ENV/venv/bin/python" -m pip install -q --disable-pip-version-check \
        -c "$CONSTRAINTS" 'setuptools<70' wheel ninja \
        || fail "could not install the build tools (setuptools<70, wheel, ninja)"
      set +e
      MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
        "$BUILD_ENV/venv/bin/python" -m pip wheel -v --no-deps \
        --no-build-isolation --no-binary mmcv "mmcv==$MMCV_VERSION" \
        -w "$BUILD_ENV/wheels" 2>&1 | tee "$LOG" \
        | grep --line-buffered -o '^ *\[[0-9]*/[0-9]*\]' \
        | awk '{printf "\r  compiled %s", $1; fflush()} END {print ""}'
      status=${PIPESTATUS[0]}
      set -e
      if [ "$status" -ne 0 ]; then
        tail -n 30 "$LOG" >&2
        fail "building mmcv failed (full log: $LOG)"
      fi
      mv "$BUILD_ENV"/wheels/mmcv-*.whl "$WHEEL_DIR"/
      rm -rf "$BUILD_ENV"
      WHEEL=$(ls "$WHEEL_DIR"/mmcv-*.whl | head -n 1)
    else
      echo "using the cached wheel $(basename "$WHEEL")"
    fi
    pip_install -c "$CONSTRAINTS" --force-reinstall --no-deps "$WHEEL" \
      && pip_install -c "$CONSTRAINTS" "$WHEEL" || fail "could not install $WHEEL"
    if mmcv_ok; then break; fi
    if [ "$attempt" = build ]; then
      "$PY" -c 'import mmcv.ops' || true
      fail "mmcv was built but 'import mmcv.ops' fails (see the error above)"
    fi
    echo "the cached wheel does not work with this environment; rebuilding"
    rm -f "$WHEEL_DIR"/mmcv-*.whl
  done
fi

step "mmsegmentation and the runtime requirements"
pip_install -c "$CONSTRAINTS" 'mmsegmentation==1.2.2' \
  -r "$ROOT/requirements/runtime.txt" \
  || fail "could not install mmsegmentation or the runtime requirements"

step "mmwsss (editable) and its test requirements"
pip_install -c "$CONSTRAINTS" -e "$ROOT[tests]" || fail "could not install mmwsss"
if [ "$WITH_CRF" = 1 ]; then
  pip_install -c "$CONSTRAINTS" -r "$ROOT/requirements/optional.txt" \
    || fail "could not install the optional dense CRF (pydensecrf2)"
fi

step "verifying"
for module in mmcv.ops mmseg.models mmwsss; do
  "$PY" -c "import $module" || fail "'import $module' fails (see the error above)"
  echo "import $module: ok"
done
"$PY" - <<'PY'
import mmcv, mmengine, mmseg, torch, mmwsss
print(f'torch {torch.__version__}, mmcv {mmcv.__version__}, '
      f'mmengine {mmengine.__version__}, mmseg {mmseg.__version__}, '
      f'mmwsss {mmwsss.__version__}')
PY
echo "mmwsss is installed."
