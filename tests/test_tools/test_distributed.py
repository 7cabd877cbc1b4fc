"""torchrun with 2 CPU processes (gloo) equals 1 process, same global batch.

The backbone has batch normalisation: one process normalises the batch of
4, the two processes synchronise it (``sync_bn='torch'``) over 2 x 2. The
training data are randomly augmented as in the shipped configs: the keyed
samplers give each sample the same augmentation in whichever process.
"""
import json
import os

import torch
from tool_helpers import tool


def _weights(work_dir):
    with open(os.path.join(work_dir, 'last_checkpoint')) as f:
        path = f.read().strip()
    return torch.load(path, weights_only=True)['state_dict']


def test_two_processes_train_evaluate_and_write_like_one(
        gloo, tiny_cam_config, tmp_path):
    # one process, batch 4  vs  two processes, batch 2 each
    one, two = str(tmp_path / 'one'), str(tmp_path / 'two')
    b4 = tiny_cam_config(
        batch=4, epochs=2, name='b4.py', norm='BN', augment=True)
    r1 = tool('train.py', b4, '--work-dir', one)
    assert r1.returncode == 0, r1.stdout[-3000:] + r1.stderr[-3000:]
    r2 = tool(
        'train.py',
        tiny_cam_config(
            batch=2, epochs=2, name='b2.py', norm='SyncBN', augment=True),
        '--work-dir',
        two,
        torchrun=2)
    assert r2.returncode == 0, r2.stdout[-3000:] + r2.stderr[-3000:]
    # the logged config names the backend actually used
    log = r2.stdout + r2.stderr
    if not torch.cuda.is_available():
        assert "backend='nccl'" not in log and "backend='gloo'" in log
    w1, w2 = _weights(one), _weights(two)
    assert w1.keys() == w2.keys()
    for key in w1:
        assert torch.allclose(w1[key], w2[key], atol=1e-5), key
    # and training did move the weights between the two epochs
    first = torch.load(
        os.path.join(one, 'epoch_1.pth'), weights_only=True)['state_dict']
    assert any(not torch.equal(first[k], w1[k]) for k in w1)

    # seed evaluation sharded over 2 processes, gathered once
    ckpt = open(os.path.join(one, 'last_checkpoint')).read().strip()
    e1 = tool('test.py', b4, ckpt, '--work-dir', str(tmp_path / 'eval1'))
    e2 = tool(
        'test.py', b4, ckpt, '--work-dir', str(tmp_path / 'eval2'), torchrun=2)
    assert e1.returncode == 0 and e2.returncode == 0, e2.stderr[-3000:]
    m1 = json.load(open(tmp_path / 'eval1' / 'metrics.json'))
    m2 = json.load(open(tmp_path / 'eval2' / 'metrics.json'))
    assert m1 == m2

    # pseudo masks sharded over 2 processes: every image once, same bytes
    p1 = tool('pseudo_masks.py', b4, ckpt, '--out', str(tmp_path / 'pm1'))
    p2 = tool(
        'pseudo_masks.py',
        b4,
        ckpt,
        '--out',
        str(tmp_path / 'pm2'),
        torchrun=2)
    assert p1.returncode == 0 and p2.returncode == 0, p2.stderr[-3000:]
    files1 = sorted(f for f in os.listdir(tmp_path / 'pm1') if '.png' in f)
    files2 = sorted(f for f in os.listdir(tmp_path / 'pm2') if '.png' in f)
    assert len(files1) == 16 and files1 == files2
    for name in files1:
        assert (tmp_path / 'pm1' / name).read_bytes() == \
            (tmp_path / 'pm2' / name).read_bytes()
