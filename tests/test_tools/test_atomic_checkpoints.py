"""A training process killed while it writes a checkpoint loses nothing."""
import os
import signal
import subprocess
import sys
import time

import torch
from tool_helpers import ROOT, tool

from mmwsss.utils import is_complete_checkpoint

SLOW = """
_base_ = [{base!r}]
custom_imports = dict(imports=['slow_save'], allow_failed_imports=False)
default_hooks = dict(
    checkpoint=dict(
        max_keep_ckpts=1, backend_args=dict(backend='slow_atomic_local')))
"""


def test_kill_during_a_save_keeps_the_previous_checkpoint(
        tiny_cam_config, tmp_path):
    base = tiny_cam_config(batch=4, epochs=3)
    slow = tmp_path / 'slow.py'
    slow.write_text(SLOW.format(base=base))
    whole = str(tmp_path / 'whole')
    done = tool('train.py', base, '--work-dir', whole)
    assert done.returncode == 0, done.stderr[-3000:]

    cut = str(tmp_path / 'cut')
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(
            [ROOT, os.path.join(ROOT, 'tests', 'test_tools')]),
        OMP_NUM_THREADS='1')
    train = [
        sys.executable,
        os.path.join(ROOT, 'tools', 'train.py'),
        str(slow), '--work-dir', cut
    ]
    proc = subprocess.Popen(
        train,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)

    def partial_save():
        if not os.path.isdir(cut):
            return None
        names = [
            n for n in os.listdir(cut)
            if n.startswith('.epoch_2.pth.') and n.endswith('.tmp')
        ]
        if names and os.path.getsize(os.path.join(cut, names[0])) > 0:
            return names[0]
        return None

    deadline = time.time() + 600
    while time.time() < deadline and proc.poll() is None and \
            partial_save() is None:
        time.sleep(0.01)
    assert proc.poll() is None, 'the run ended before it could be killed'
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    # epoch_2.pth never appeared; epoch_1.pth, which max_keep_ckpts=1 was to
    # replace, is whole and still named by last_checkpoint
    assert partial_save() is not None
    assert not os.path.exists(os.path.join(cut, 'epoch_2.pth'))
    assert is_complete_checkpoint(os.path.join(cut, 'epoch_1.pth'))
    with open(os.path.join(cut, 'last_checkpoint')) as f:
        assert f.read().strip().endswith('epoch_1.pth')

    resumed = subprocess.run(
        train + ['--resume'],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    # the killed save's temporary file is gone; one checkpoint is kept
    assert partial_save() is None
    assert sorted(n for n in os.listdir(cut) if '.pth' in n) == ['epoch_3.pth']
    a = torch.load(
        os.path.join(whole, 'epoch_3.pth'), weights_only=True)['state_dict']
    b = torch.load(
        os.path.join(cut, 'epoch_3.pth'), weights_only=True)['state_dict']
    assert all(torch.equal(a[k], b[k]) for k in a)
