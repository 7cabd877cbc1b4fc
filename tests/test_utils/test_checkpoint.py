import collections
import io
import os
import pickle

import pytest
import torch
import torch.nn as nn
from mmengine.runner.checkpoint import (CheckpointLoader, _load_checkpoint,
                                        load_from_local)

from mmwsss.utils import (CheckpointError, load_model_weights,
                          read_checkpoint, trust_checkpoints,
                          verify_checkpoint)
from mmwsss.utils.checkpoint import _TRUSTED
from mmwsss.utils.io import write_checksum


class Payload:
    """A class a safe unpickler must not build."""


def _save(path, obj):
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    path.write_bytes(buffer.getvalue())


@pytest.fixture(autouse=True)
def _forget_trust():
    yield
    _TRUSTED.clear()


def test_plain_checkpoint_loads_strictly(tmp_path):
    model = nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4))
    _save(tmp_path / 'ok.pth', dict(state_dict=model.state_dict()))
    other = nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4))
    load_model_weights(other, str(tmp_path / 'ok.pth'))
    assert torch.equal(other[0].weight, model[0].weight)


def test_checkpoint_of_another_model_is_refused(tmp_path):
    _save(tmp_path / 'other.pth',
          dict(state_dict=nn.Sequential(nn.Conv2d(3, 8, 1)).state_dict()))
    model = nn.Sequential(nn.Conv2d(3, 4, 1), nn.ReLU(), nn.Conv2d(4, 2, 1))
    with pytest.raises(
            ValueError,
            match=r'other\.pth does not fit the model '
            r'Sequential \(missing: 2\.weight, 2\.bias; shape '
            r'mismatch: 0\.weight'):
        load_model_weights(model, str(tmp_path / 'other.pth'))


def test_untrusted_pickle_is_refused_unless_trusted(tmp_path):
    path = tmp_path / 'foreign.pth'
    _save(path, dict(state_dict=collections.OrderedDict(), extra=Payload()))
    for load in (verify_checkpoint, read_checkpoint):
        with pytest.raises(
                CheckpointError,
                match=r'Refusing to load the checkpoint '
                r'.*foreign\.pth: .*Payload.*--trust-checkpoint'):
            load(str(path))
    trust_checkpoints([str(path)])
    assert verify_checkpoint(str(path)) == [Payload]
    assert isinstance(read_checkpoint(str(path))['extra'], Payload)


def test_mmengine_loads_with_its_own_loader_and_weights_only(tmp_path):
    """No process-wide loader: mmengine reads local files with its own,
    whose torch.load builds no class; trusting a file allows its classes
    for mmwsss's load of it only."""
    path = tmp_path / 'foreign.pth'
    _save(path, dict(extra=Payload()))
    trust_checkpoints([str(path)])
    read_checkpoint(str(path))
    assert CheckpointLoader._get_checkpoint_loader(
        str(path)) is load_from_local
    with pytest.raises(pickle.UnpicklingError, match='Weights only load'):
        _load_checkpoint(str(path))


def test_model_weights_load_with_weights_only_unless_trusted(tmp_path):
    torch.manual_seed(0)
    model = nn.Conv2d(3, 4, 1)
    path = tmp_path / 'foreign.pth'
    _save(path, dict(state_dict=model.state_dict(), extra=Payload()))
    other = nn.Conv2d(3, 4, 1)
    with pytest.raises(
            CheckpointError,
            match=r'Refusing to load the checkpoint .*foreign\.pth'):
        load_model_weights(other, str(path))
    assert not torch.equal(other.weight, model.weight)
    trust_checkpoints([str(path)])
    load_model_weights(other, str(path))
    assert torch.equal(other.weight, model.weight)


def test_missing_checkpoint_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nothere.pth'):
        read_checkpoint(str(tmp_path / 'nothere.pth'))


def test_truncated_checkpoint_is_named(tmp_path):
    _save(tmp_path / 'whole.pth', dict(state_dict=dict(w=torch.ones(1000))))
    data = (tmp_path / 'whole.pth').read_bytes()
    for size in (0, len(data) // 2):
        (tmp_path / 'cut.pth').write_bytes(data[:size])
        with pytest.raises(
                CheckpointError,
                match=r'Cannot read the checkpoint .*cut\.pth: it is '
                'truncated or corrupt'):
            read_checkpoint(str(tmp_path / 'cut.pth'))


def test_checkpoint_that_differs_from_its_checksum_is_refused(tmp_path):
    """A complete archive with changed tensor bytes loads silently with
    torch; its checksum refuses it. Without a checksum file it loads."""
    path = tmp_path / 'epoch_1.pth'
    _save(path, dict(state_dict=dict(w=torch.zeros(1000))))
    data = path.read_bytes()
    write_checksum(path, data)
    assert read_checkpoint(str(path))['state_dict']['w'].max() == 0
    start = data.index(bytes(256))  # inside the tensor's zeros
    path.write_bytes(data[:start] + b'\x7f' * 64 + data[start + 64:])
    assert torch.load(path, weights_only=True)['state_dict']['w'].max() > 3e38
    with pytest.raises(
            CheckpointError,
            match=r'The checkpoint .*epoch_1\.pth is corrupt: its SHA-256 '
            r'differs from the one saved with it in .*epoch_1\.pth\.sha256'):
        read_checkpoint(str(path))
    (tmp_path / 'epoch_1.pth.sha256').unlink()
    assert read_checkpoint(str(path))['state_dict']['w'].max() > 3e38


def test_resume_falls_back_to_the_newest_complete_checkpoint(tmp_path):
    from mmwsss.utils import find_resume_checkpoint
    assert find_resume_checkpoint(str(tmp_path)) is None  # a new run
    for step in (1, 2, 3):
        _save(tmp_path / f'epoch_{step}.pth', dict(step=step))
    pointer = tmp_path / 'last_checkpoint'
    pointer.write_text(str(tmp_path / 'epoch_2.pth'))
    assert find_resume_checkpoint(str(tmp_path)).endswith('epoch_2.pth')
    # last_checkpoint names a file that is gone, or is empty (killed while
    # it was written): the newest complete one; a cut epoch_3.pth is skipped
    data = (tmp_path / 'epoch_3.pth').read_bytes()
    (tmp_path / 'epoch_3.pth').write_bytes(data[:len(data) // 2])
    for text in (str(tmp_path / 'epoch_9.pth'), ''):
        pointer.write_text(text)
        assert find_resume_checkpoint(str(tmp_path)).endswith('epoch_2.pth')
    # a checkpoint saved on SIGTERM in the middle of epoch 3 (iteration 8,
    # 3 per epoch): the newest, which N (8 against 2) cannot tell
    _save(tmp_path / 'iter_8.pth', dict(step=8))
    for second, name in enumerate(('epoch_1.pth', 'epoch_2.pth',
                                   'iter_8.pth')):
        os.utime(tmp_path / name, (second + 1, second + 1))
    assert find_resume_checkpoint(str(tmp_path)).endswith('iter_8.pth')
    os.utime(tmp_path / 'iter_8.pth', (0, 0))  # older than epoch_2.pth
    assert find_resume_checkpoint(str(tmp_path)).endswith('epoch_2.pth')
    for name in ('epoch_1.pth', 'epoch_2.pth', 'iter_8.pth'):
        (tmp_path / name).unlink()
    with pytest.raises(FileNotFoundError, match='no complete checkpoint'):
        find_resume_checkpoint(str(tmp_path))


def test_resume_falls_back_from_a_checkpoint_that_fails_its_checksum(
        tmp_path):
    from mmwsss.utils import find_resume_checkpoint
    for step in (1, 2):
        _save(tmp_path / f'epoch_{step}.pth', dict(step=step))
        write_checksum(tmp_path / f'epoch_{step}.pth',
                       (tmp_path / f'epoch_{step}.pth').read_bytes())
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_2.pth'))
    assert find_resume_checkpoint(str(tmp_path)).endswith('epoch_2.pth')
    (tmp_path / 'epoch_2.pth.sha256').write_text('0' * 64 + '  epoch_2.pth\n')
    assert find_resume_checkpoint(str(tmp_path)).endswith('epoch_1.pth')


def test_expected_mismatch_is_allowed_and_left_out(tmp_path):
    from mmwsss.utils import fit_state_dict
    old = nn.Sequential(nn.Conv2d(3, 4, 1), nn.Conv2d(4, 5, 1))
    new = nn.Sequential(nn.Conv2d(3, 4, 1), nn.Conv2d(4, 7, 1))
    state = {'module.' + k: v for k, v in old.state_dict().items()}
    with pytest.raises(ValueError, match=r'shape mismatch: 1\.weight'):
        fit_state_dict(new, state, 'old.pth')
    fitted = fit_state_dict(new, state, 'old.pth', expected=[r'1\..*'])
    assert sorted(fitted) == ['0.bias', '0.weight']


def test_a_copied_work_dir_resumes_from_its_own_checkpoint(tmp_path):
    """last_checkpoint holds the original's absolute path; the copy (cp -r)
    resumes from its own file, not from the original's."""
    import shutil

    from mmwsss.utils import find_resume_checkpoint
    original = tmp_path / 'original'
    original.mkdir()
    _save(original / 'epoch_1.pth', dict(step=1))
    (original / 'last_checkpoint').write_text(str(original / 'epoch_1.pth'))
    shutil.copytree(original, tmp_path / 'copy')
    assert find_resume_checkpoint(str(tmp_path / 'copy')) == str(
        tmp_path / 'copy' / 'epoch_1.pth')
    assert find_resume_checkpoint(str(original)) == str(
        original / 'epoch_1.pth')
