"""A run killed with SIGKILL, or stopped by SIGINT, and resumed ends like an
uninterrupted one."""
import os
import re
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


def _run(train, env, work_dir, *args):
    return subprocess.run(
        train + ['--work-dir', work_dir, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600)


def _interrupt(train, env, work_dir, log_path, ready, signum):
    """Start the training, send ``signum`` once ``ready(log text)``; the
    exit status."""
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(
            train + ['--work-dir', work_dir],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT)
        deadline = time.time() + 600
        while time.time() < deadline and proc.poll() is None:
            with open(log_path) as f:
                if ready(f.read()):
                    break
            time.sleep(0.02)
        assert proc.poll() is None, 'the run ended before the signal'
        proc.send_signal(signum)
        return proc.wait(timeout=300)


def test_sigkill_or_sigint_then_resume_gives_the_same_weights(
        tiny_cam_config, tmp_path):
    config = tiny_cam_config(batch=4, epochs=3)
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    train = [sys.executable, os.path.join(ROOT, 'tools', 'train.py'), config]
    whole = str(tmp_path / 'whole')
    done = _run(train, env, whole)
    assert done.returncode == 0, done.stderr[-3000:]

    # killed during epoch 2 (after epoch_1.pth was saved): resumes from it
    killed = str(tmp_path / 'killed')
    _interrupt(
        train, env, killed, str(tmp_path / 'killed.log'),
        lambda text: os.path.isfile(os.path.join(killed, 'epoch_1.pth')) and
        'Iter(train) [ 6/12]' in text, signal.SIGKILL)
    # Ctrl-C during epoch 2: a checkpoint of the iteration, exit 130
    stopped = str(tmp_path / 'stopped')
    status = _interrupt(train, env, stopped, str(tmp_path / 'stopped.log'),
                        lambda text: 'Iter(train) [ 5/12]' in text,
                        signal.SIGINT)
    assert status == 130
    text = (tmp_path / 'stopped.log').read_text()
    assert 'KeyboardInterrupt' not in text and 'Traceback' not in text
    assert re.search(
        r'Stopped by SIGINT after iteration \d+; saved \S+iter_\d+\.pth: '
        'resume with --resume', text), text[-3000:]

    for cut in (killed, stopped):
        assert not os.path.isfile(os.path.join(cut, 'epoch_3.pth'))
        resumed = _run(train, env, cut, '--resume')
        assert resumed.returncode == 0, resumed.stderr[-3000:]
        assert 'resumed' in (resumed.stdout + resumed.stderr).lower()
        a, b = _final_weights(whole), _final_weights(cut)
        assert a.keys() == b.keys()
        for key in a:
            assert torch.equal(a[key], b[key]), (cut, key)
