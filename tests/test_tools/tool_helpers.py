"""Helpers of the tool tests: the repository root and running tools."""
import os
import os.path as osp
import socket
import subprocess
import sys

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def free_port() -> int:
    """A TCP port nobody listens on now (for torchrun's rendezvous)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def tool(*args, torchrun=0, timeout=600, **kwargs):
    """Run ``tools/{args[0]}`` (with torchrun on N processes if asked)."""
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    if torchrun:
        cmd = [
            sys.executable, '-m', 'torch.distributed.run',
            f'--nproc_per_node={torchrun}', f'--master_port={free_port()}',
            osp.join(ROOT, 'tools',
                     args[0]), *args[1:], '--launcher', 'pytorch'
        ]
    else:
        cmd = [sys.executable, osp.join(ROOT, 'tools', args[0]), *args[1:]]
    return subprocess.run(
        cmd,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs)


def run_pipeline(config: str, work_dir: str) -> subprocess.CompletedProcess:
    """Run ``tools/pipeline.py CONFIG --work-dir WORK_DIR``."""
    return subprocess.run(
        [sys.executable, 'tools/pipeline.py', config, '--work-dir', work_dir],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900)
