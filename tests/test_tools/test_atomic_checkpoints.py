"""A training process killed while it writes a checkpoint loses nothing;
a checkpoint whose bytes change afterwards is refused."""
import hashlib
import os
import signal
import struct
import subprocess
import sys
import time
import zipfile

import torch
from tool_helpers import ROOT, tool

from mmwsss.utils import is_complete_checkpoint, read_checkpoint

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


def _overwrite_tensor_bytes(path, size=64):
    """Overwrite ``size`` bytes inside the largest tensor's data with 0x7f
    (float32 3.4e38), leaving the zip directory intact."""
    with zipfile.ZipFile(path) as archive:
        record = max((r for r in archive.infolist() if '/data/' in r.filename),
                     key=lambda r: r.file_size)
    with open(path, 'r+b') as f:
        f.seek(record.header_offset + 26)  # the local header's name and extra
        name, extra = struct.unpack('<HH', f.read(4))
        f.seek(record.header_offset + 30 + name + extra + 16)
        f.write(b'\x7f' * size)


def test_a_corrupt_checkpoint_is_refused_and_resume_takes_the_previous(
        tiny_cam_config, tmp_path):
    config = tiny_cam_config(batch=8, epochs=2)
    work = tmp_path / 'work'
    done = tool('train.py', config, '--work-dir', str(work))
    assert done.returncode == 0, done.stderr[-3000:]
    newest = work / 'epoch_2.pth'
    for name in ('epoch_1.pth', 'epoch_2.pth'):
        digest = hashlib.sha256((work / name).read_bytes()).hexdigest()
        assert (work / f'{name}.sha256').read_text() == f'{digest}  {name}\n'
    before = torch.load(newest, weights_only=True)['state_dict']

    _overwrite_tensor_bytes(newest)
    assert is_complete_checkpoint(str(newest))
    corrupt = torch.load(newest, weights_only=True)['state_dict']
    assert max(v.float().abs().max() for v in corrupt.values()) > 3e38
    r = tool('test.py', config, str(newest), '--work-dir', str(tmp_path / 't'))
    assert r.returncode == 1 and 'Traceback' not in r.stderr
    error = [line for line in r.stderr.splitlines() if 'error:' in line]
    assert 'epoch_2.pth is corrupt: its SHA-256 differs' in error[0], error

    resumed = tool('train.py', config, '--work-dir', str(work), '--resume')
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    log = resumed.stdout + resumed.stderr
    assert 'epoch_2.pth, which cannot be resumed from' in log
    assert 'epoch_1.pth, the newest good checkpoint' in log
    # epoch 2 trained again from epoch_1.pth, as the first run did
    after = read_checkpoint(str(newest))['state_dict']
    assert all(torch.equal(before[k], after[k]) for k in before)

    # a checkpoint without its checksum file (older runs) still loads
    (work / 'epoch_1.pth.sha256').unlink()
    assert read_checkpoint(str(work / 'epoch_1.pth'))['meta']['epoch'] == 1
