"""A run killed with SIGKILL and resumed ends like an uninterrupted one."""
import os
import signal
import subprocess
import sys
import time

import torch
from tool_helpers import ROOT


def _final_weights(work_dir):
    with open(os.path.join(work_dir, 'last_checkpoint')) as f:
        path = f.read().strip()
    return torch.load(path, weights_only=True)['state_dict']


def test_sigkill_then_resume_gives_the_same_weights(tiny_cam_config, tmp_path):
    config = tiny_cam_config(batch=4, epochs=3)
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    train = [sys.executable, os.path.join(ROOT, 'tools', 'train.py'), config]

    whole = str(tmp_path / 'whole')
    done = subprocess.run(
        train + ['--work-dir', whole],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]

    # the same run, killed during epoch 2 (after epoch_1.pth was saved)
    cut = str(tmp_path / 'cut')
    log = open(tmp_path / 'cut.log', 'w')
    proc = subprocess.Popen(
        train + ['--work-dir', cut],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT)
    deadline = time.time() + 600
    while time.time() < deadline and proc.poll() is None:
        text = open(tmp_path / 'cut.log').read()
        if os.path.isfile(os.path.join(cut, 'epoch_1.pth')) and \
                'Iter(train) [ 6/12]' in text:
            break
        time.sleep(0.05)
    assert proc.poll() is None, 'the run ended before it could be killed'
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not os.path.isfile(os.path.join(cut, 'epoch_3.pth'))

    resumed = subprocess.run(
        train + ['--work-dir', cut, '--resume'],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert 'resumed' in (resumed.stdout + resumed.stderr).lower()

    a, b = _final_weights(whole), _final_weights(cut)
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
