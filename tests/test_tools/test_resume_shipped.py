"""Exact resume and worker independence with a shipped config.

The shipped synthetic CAM config as it is (2 persistent workers, random
resize, flip, colour jitter and crop, ``max_keep_ckpts=1``), on the tiny
dataset of 16 images, shortened to 4 epochs with a checkpoint per epoch and
without the final validation; batch 4 so that the 4 batches of an epoch
spread over the workers (with mmengine's DefaultSampler this test fails:
106 of 127 tensors differ), and float32: bfloat16 autocast is emulated,
about 8 times slower, on CPUs without bfloat16 instructions, and the data
loading is what is under test.
"""
import os
import signal
import subprocess
import sys
import time

import torch
from tool_helpers import ROOT, tool

CONFIG = os.path.join(ROOT, 'configs', 'cam',
                      'cam_r18c32-d8_1xb16-16e_synthetic-128x128.py')


def _options(data_root, **extra):
    options = {
        'train_dataloader.dataset.data_root': data_root,
        'train_dataloader.batch_size': 4,
        'train_cfg.max_epochs': 4,
        'default_hooks.checkpoint.interval': 1,
        'optim_wrapper.type': 'OptimWrapper',
        'val_cfg': None,
        'val_dataloader': None,
        'val_evaluator': None,
    }
    options.update(extra)
    return ['--cfg-options'] + [f'{k}={v}' for k, v in options.items()]


def _final(work_dir):
    with open(os.path.join(work_dir, 'last_checkpoint')) as f:
        path = f.read().strip()
    assert path.endswith('epoch_4.pth'), path
    return torch.load(path, weights_only=True)['state_dict']


def _assert_same(a, b):
    assert a.keys() == b.keys()
    differ = [k for k in a if not torch.equal(a[k], b[k])]
    assert not differ, \
        f'{len(differ)} of {len(a)} tensors differ: {differ[:3]}'


def test_kill_and_resume_and_worker_count_give_the_same_weights(
        tiny_voc, tmp_path):
    whole = str(tmp_path / 'whole')
    done = tool('train.py', CONFIG, '--work-dir', whole, *_options(tiny_voc))
    assert done.returncode == 0, done.stderr[-3000:]
    reference = _final(whole)
    first = torch.load(
        os.path.join(whole, 'epoch_4.pth'), weights_only=True)['meta']
    assert first['epoch'] == 4

    # killed once epoch_2.pth is complete, then resumed
    cut = str(tmp_path / 'cut')
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    proc = subprocess.Popen([
        sys.executable,
        os.path.join(ROOT, 'tools', 'train.py'), CONFIG, '--work-dir', cut,
        *_options(tiny_voc)
    ],
                            cwd=ROOT,
                            env=env,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    while time.time() < deadline and proc.poll() is None and \
            not os.path.isfile(os.path.join(cut, 'epoch_2.pth')):
        time.sleep(0.02)
    assert proc.poll() is None, 'the run ended before it could be killed'
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not os.path.isfile(os.path.join(cut, 'epoch_4.pth'))
    resumed = tool('train.py', CONFIG, '--work-dir', cut, '--resume',
                   *_options(tiny_voc))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert 'resumed' in (resumed.stdout + resumed.stderr).lower()
    _assert_same(reference, _final(cut))

    # the same run loading in the main process
    zero = str(tmp_path / 'zero')
    done = tool(
        'train.py', CONFIG, '--work-dir', zero,
        *_options(
            tiny_voc, **{
                'train_dataloader.num_workers': 0,
                'train_dataloader.persistent_workers': False
            }))
    assert done.returncode == 0, done.stderr[-3000:]
    _assert_same(reference, _final(zero))
