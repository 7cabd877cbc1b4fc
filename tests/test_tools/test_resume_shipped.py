"""Exact resume and worker independence with a shipped config.

Benchmark v2's CAM config as it is (2 persistent workers, random resize,
flip, colour jitter and crop, ``max_keep_ckpts=1``), on the tiny dataset of
16 images, shortened to 4 epochs with a checkpoint per epoch and without the
final validation; batch 4 so that the 4 batches of an epoch spread over the
workers (with mmengine's DefaultSampler such a test fails: 106 of 127
tensors differed), and float32: bfloat16 autocast is emulated, about 8 times
slower, on CPUs without bfloat16 instructions, and the data loading is what
is under test. Its EfficientNet-Lite0 starts from random weights: the
converted ImageNet weights are not part of the repository.
"""
import os
import re
import signal
import subprocess
import sys
import time

import torch
from tool_helpers import ROOT, tool

CONFIG = os.path.join(ROOT, 'configs', 'cam',
                      'cam_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py')


def _options(data_root, **extra):
    options = {
        'train_dataloader.dataset.data_root': data_root,
        'train_dataloader.batch_size': 4,
        'model.backbone.init_cfg': None,
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


def _trained_tensors(work_dir):
    """The model's and the optimizer's tensors of the last checkpoint."""
    with open(os.path.join(work_dir, 'last_checkpoint')) as f:
        path = f.read().strip()
    assert path.endswith('epoch_4.pth'), path
    checkpoint = torch.load(path, weights_only=True)
    tensors = dict(checkpoint['state_dict'])
    for param, state in checkpoint['optimizer']['state'].items():
        tensors.update(
            (f'optimizer.{param}.{k}', v) for k, v in state.items())
    return tensors


def test_sigterm_mid_epoch_then_resume_gives_the_same_weights(
        tiny_voc, tmp_path):
    options = _options(tiny_voc, **{'default_hooks.logger.interval': 1})
    whole = str(tmp_path / 'whole')
    done = tool('train.py', CONFIG, '--work-dir', whole, *options)
    assert done.returncode == 0, done.stderr[-3000:]

    # SIGTERM once iteration 5 (the first of epoch 2 of 4 iterations) is
    # logged, to every process of the run as a scheduler sends it (the data
    # loader workers included): the run stops after the iteration it is in
    cut = str(tmp_path / 'cut')
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    log_path = str(tmp_path / 'cut.log')
    with open(log_path, 'w') as log:
        proc = subprocess.Popen([
            sys.executable,
            os.path.join(ROOT, 'tools', 'train.py'), CONFIG, '--work-dir',
            cut, *options
        ],
                                cwd=ROOT,
                                env=env,
                                stdout=log,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)
        deadline = time.time() + 600
        while time.time() < deadline and proc.poll() is None:
            with open(log_path) as f:
                if 'Iter(train) [ 5/16]' in f.read():
                    break
            time.sleep(0.02)
        assert proc.poll() is None, 'the run ended before the signal'
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=300) == 143
    with open(log_path) as f:
        text = f.read()
    assert 'Traceback' not in text, text[-3000:]
    stopped = re.search(
        r'Stopped by SIGTERM after iteration (\d+); saved (\S+): resume '
        r'with --resume', text)
    assert stopped, text[-3000:]
    iteration, path = int(stopped.group(1)), stopped.group(2)
    assert iteration in (5, 6, 7)  # in the middle of epoch 2
    assert path == os.path.join(cut, f'iter_{iteration}.pth')
    with open(os.path.join(cut, 'last_checkpoint')) as f:
        assert f.read() == path
    assert not os.path.exists(os.path.join(cut, '.lock'))

    resumed = tool('train.py', CONFIG, '--work-dir', cut, '--resume',
                   *options)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f'its first {iteration - 4} iterations are done' in \
        resumed.stdout + resumed.stderr
    _assert_same(_trained_tensors(whole), _trained_tensors(cut))
