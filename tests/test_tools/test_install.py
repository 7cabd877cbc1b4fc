"""``tools/install.sh``: its checks and failure messages, in seconds.

Nothing is installed: pip is cut off from every index (``PIP_NO_INDEX``, no
configuration files, an empty ``--find-links``), the mmcv wheel cache is a
temporary folder, and the failures are met by running the script on a fake
Python prefix (``PYTHONHOME`` pointing at a copy of the standard library's
folder made of links, without headers, pip or ensurepip as each test needs)
or by sourcing it, which defines its functions only, and calling one.
"""
import os
import os.path as osp
import subprocess
import sys
import sysconfig
import zipfile

import pytest
from tool_helpers import ROOT

INSTALL = osp.join(ROOT, 'tools', 'install.sh')
PY_TAG = 'cp%d%d' % sys.version_info[:2]


@pytest.fixture
def env(tmp_path):
    """An environment in which pip can install nothing."""
    links = tmp_path / 'no_links'
    links.mkdir()
    env = dict(
        os.environ,
        PYTHON=sys.executable,
        PIP_NO_INDEX='1',
        PIP_FIND_LINKS=str(links),
        PIP_CONFIG_FILE=os.devnull,
        MMWSSS_WHEEL_CACHE=str(tmp_path / 'wheel_cache'))
    env.pop('PYTHONHOME', None)
    return env


def fake_prefix(tmp_path, ensurepip=True, managed=False):
    """A Python prefix without headers or packages; its interpreter's env.

    Its standard library is the running one's, linked entry by entry, less
    ``ensurepip`` unless asked, with an empty ``site-packages`` and, if
    ``managed``, the ``EXTERNALLY-MANAGED`` marker of a system's Python.
    """
    stdlib = sysconfig.get_path('stdlib')
    home = tmp_path / 'prefix'
    lib = home / 'lib' / osp.basename(stdlib)
    (lib / 'site-packages').mkdir(parents=True)
    skip = {'site-packages', 'EXTERNALLY-MANAGED'}
    if not ensurepip:
        skip.add('ensurepip')
    for name in sorted(set(os.listdir(stdlib)) - skip):
        os.symlink(osp.join(stdlib, name), lib / name)
    if managed:
        (lib / 'EXTERNALLY-MANAGED').write_text('[externally-managed]\n')
    return home, dict(
        PYTHONHOME=str(home), PYTHON=osp.realpath(sys.executable))


def run(env, *args, source=None, **extra):
    """Run install.sh with ``args``, or source it and run ``source``."""
    cmd = ['bash', INSTALL, *args] if source is None else [
        'bash', '-c', f'source "$0" && {source}', INSTALL
    ]
    return subprocess.run(
        cmd,
        env=dict(env, **extra),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120)


def assert_failed(proc, *texts):
    """The script exited 1 with a FAILED line and a fix naming ``texts``."""
    assert proc.returncode == 1, proc.stdout + proc.stderr
    failed = [
        line for line in proc.stderr.splitlines()
        if line.startswith('install.sh: FAILED: ')
    ]
    fixes = [
        line for line in proc.stderr.splitlines()
        if line.startswith('install.sh: fix: ')
    ]
    assert len(failed) == 1 and len(fixes) == 1, proc.stderr
    for text in texts:
        assert text in failed[0] + fixes[0], proc.stderr


def make_wheel(path, ops):
    """A wheel-like zip of mmcv, with the compiled ops if ``ops``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, 'w') as zf:
        zf.writestr('mmcv/__init__.py', '')
        if ops:
            zf.writestr(f'mmcv/_ext.cpython-{PY_TAG[2:]}-x86_64-linux-gnu.so',
                        b'\0')
    return path


def test_unknown_argument(env):
    proc = run(env, '--with-crf', '--fast')
    assert proc.returncode == 2
    assert 'unknown argument --fast' in proc.stderr


def test_no_interpreter(env, tmp_path):
    proc = run(env, PYTHON=str(tmp_path / 'bin' / 'python'))
    assert_failed(proc, f"'{tmp_path / 'bin' / 'python'}' is not a Python",
                  'set PYTHON=')


def test_system_python_is_refused(env, tmp_path):
    _, python = fake_prefix(tmp_path, ensurepip=False, managed=True)
    proc = run(env, **python)
    assert_failed(proc, 'PEP 668', 'python3 -m venv .venv')
    # with pip's own override, the script goes on (to the missing pip here)
    proc = run(env, **python, PIP_BREAK_SYSTEM_PACKAGES='1')
    assert_failed(proc, 'ensurepip cannot install pip')


def test_no_pip(env, tmp_path):
    _, python = fake_prefix(tmp_path, ensurepip=False)
    proc = run(env, **python)
    assert_failed(proc, '-m pip\' does not work',
                  'apt-get install python3-pip')


def test_pip_is_bootstrapped(env, tmp_path):
    home, python = fake_prefix(tmp_path)
    proc = run(env, source='find_python && ensure_pip', **python)
    assert proc.returncode == 0, proc.stderr
    assert 'installing it with ensurepip' in proc.stdout
    site = home / 'lib' / osp.basename(sysconfig.get_path('stdlib'))
    assert (site / 'site-packages' / 'pip' / '__init__.py').is_file()


def test_no_compiler(env, tmp_path):
    proc = run(
        env,
        source='find_python && MMCV_OPS=cpu && check_build_tools',
        CXX=str(tmp_path / 'bin' / 'g++'))
    assert_failed(proc, f"no compiler '{tmp_path / 'bin' / 'g++'}'",
                  'apt-get install g++', 'CXX')


def test_no_python_headers(env, tmp_path):
    home, python = fake_prefix(tmp_path)
    proc = run(
        env,
        source='find_python && MMCV_OPS=cpu && check_build_tools',
        CC='true',
        CXX='true',
        **python)
    include = sysconfig.get_paths(vars=dict(installed_base=str(home)))
    assert_failed(proc, f"{include['include']}/Python.h is missing",
                  'apt-get install python3-dev')


def test_cached_wheels_without_ops_are_deleted(env, tmp_path):
    name = f'mmcv-2.1.0-{PY_TAG}-{PY_TAG}-linux_x86_64.whl'
    bad = make_wheel(tmp_path / 'bad' / name, ops=False)
    good = make_wheel(tmp_path / 'good' / name, ops=True)
    proc = run(
        env,
        source=f'find_python && WHEEL_DIR={bad.parent} '
        f'cached_wheels && WHEEL_DIR={good.parent} cached_wheels')
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [str(good)]
    assert f'deleting the cached {name}: it has no compiled ops' in \
        proc.stderr
    assert not bad.exists() and good.exists()


def test_failed_build_names_the_cached_torch(env, tmp_path):
    cache = tmp_path / 'wheel_cache'
    make_wheel(
        cache / f'mmcv-2.1.0-torch9.8.7+cpu-cpu-{PY_TAG}' /
        f'mmcv-2.1.0-{PY_TAG}-{PY_TAG}-linux_x86_64.whl',
        ops=True)
    # a folder of another Python's and an empty one name no torch
    make_wheel(
        cache / 'mmcv-2.1.0-torch9.6.0+cpu-cpu-cp27' /
        'mmcv-2.1.0-cp27-cp27-linux_x86_64.whl',
        ops=True)
    (cache / f'mmcv-2.1.0-torch9.5.0+cpu-cpu-{PY_TAG}').mkdir()
    proc = run(
        env,
        source='TORCH_VERSION=1.2.3 MMCV_OPS=cpu '
        f'PY_TAG={PY_TAG} && WHEEL_DIR=$(wheel_dir) '
        'BUILD_LOG=build.log fail_build "pip wheel exited"')
    assert_failed(
        proc, 'against torch 1.2.3 (cpu', 'pip wheel exited', 'MAX_JOBS=1',
        'full log: build.log', "has a cached mmcv wheel (torch==9.8.7+cpu): "
        "pip install 'torch==9.8.7+cpu'")
    assert '9.6.0' not in proc.stderr and '9.5.0' not in proc.stderr
    # with no cached wheel, the torch that mmcv is known to build with
    proc = run(
        env,
        source='TORCH_VERSION=1.2.3 MMCV_OPS=cpu '
        'PY_TAG=cp26 && WHEEL_DIR=$(wheel_dir) BUILD_LOG=build.log '
        'fail_build "pip wheel exited"')
    assert_failed(proc, "is known to build with: pip install 'torch==2.13.0'")


def test_build_without_its_tools(env, tmp_path):
    proc = run(
        env,
        source=f'find_python && read_torch && WORK={tmp_path} && '
        'WHEEL_DIR=$(wheel_dir) && BUILD_LOG=$WHEEL_DIR/build.log && '
        'build_mmcv',
        CC='true',
        CXX='true',
        CUDA_VISIBLE_DEVICES='')
    assert_failed(proc, 'could not install the build tools',
                  'reaches the package index')
    assert not (tmp_path / 'wheel_cache').exists()


def test_unsatisfied(env, tmp_path):
    reqs = tmp_path / 'reqs.txt'
    reqs.write_text('pytest>=1.0  # comment\n-e .\nno-such-dist-here\n'
                    "pytest<1 ; python_version < '3'\n")
    proc = run(
        env, source=f'find_python && unsatisfied "pytest<1.0" '
        f'-r {reqs}')
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ['pytest<1.0', 'no-such-dist-here']
