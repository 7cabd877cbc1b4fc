import collections
import io
import pickle

import pytest
import torch
import torch.nn as nn

from mmwsss.utils import load_model_weights, use_safe_checkpoint_loading
from mmwsss.utils.checkpoint import _TRUSTED


class Payload:
    """A class a safe unpickler must not build."""


def _save(path, obj):
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    path.write_bytes(buffer.getvalue())


@pytest.fixture(autouse=True)
def _safe_loader():
    use_safe_checkpoint_loading()
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
    from mmengine.runner.checkpoint import _load_checkpoint
    path = tmp_path / 'foreign.pth'
    _save(path, dict(state_dict=collections.OrderedDict(), extra=Payload()))
    with pytest.raises(
            RuntimeError,
            match=r'Refusing to load the checkpoint '
            r'.*foreign\.pth.*--trust-checkpoint'):
        _load_checkpoint(str(path))
    use_safe_checkpoint_loading([str(path)])
    assert isinstance(_load_checkpoint(str(path))['extra'], Payload)


def test_model_weights_load_with_weights_only_unless_trusted(tmp_path):
    torch.manual_seed(0)
    model = nn.Conv2d(3, 4, 1)
    path = tmp_path / 'foreign.pth'
    _save(path, dict(state_dict=model.state_dict(), extra=Payload()))
    other = nn.Conv2d(3, 4, 1)
    with pytest.raises(
            RuntimeError,
            match=r'Refusing to load the checkpoint .*foreign\.pth'):
        load_model_weights(other, str(path))
    assert not torch.equal(other.weight, model.weight)
    use_safe_checkpoint_loading([str(path)])
    load_model_weights(other, str(path))
    assert torch.equal(other.weight, model.weight)


def test_missing_checkpoint_is_named(tmp_path):
    from mmengine.runner.checkpoint import _load_checkpoint
    with pytest.raises(FileNotFoundError, match='nothere.pth'):
        _load_checkpoint(str(tmp_path / 'nothere.pth'))
    assert pickle  # (used by torch.save above)


def test_truncated_checkpoint_is_named(tmp_path):
    from mmengine.runner.checkpoint import _load_checkpoint

    from mmwsss.utils import CheckpointError
    _save(tmp_path / 'whole.pth', dict(state_dict=dict(w=torch.ones(1000))))
    data = (tmp_path / 'whole.pth').read_bytes()
    for size in (0, len(data) // 2):
        (tmp_path / 'cut.pth').write_bytes(data[:size])
        with pytest.raises(
                CheckpointError,
                match=r'Cannot read the checkpoint .*cut\.pth: it is '
                'truncated or corrupt'):
            _load_checkpoint(str(tmp_path / 'cut.pth'))


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
    for step in (1, 2):
        (tmp_path / f'epoch_{step}.pth').unlink()
    with pytest.raises(FileNotFoundError, match='no complete checkpoint'):
        find_resume_checkpoint(str(tmp_path))


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
