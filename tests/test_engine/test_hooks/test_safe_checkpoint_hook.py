import io
import types

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner import BaseLoop

from mmwsss.engine.hooks import SafeCheckpointHook
from mmwsss.engine.hooks.safe_checkpoint_hook import pretrained_checkpoints
from mmwsss.utils import CheckpointError


def test_message_hub_survives_a_weights_only_load():
    hub = MessageHub.get_instance('safe_ckpt_test')
    for v in (1.0, 2.0, 4.0):
        hub.update_scalar('train/loss', v)
    hub.update_info('eta', np.float64(12.5))
    checkpoint = dict(
        meta=dict(seed=np.int64(3), epoch=2),
        message_hub=hub.state_dict(),
        state_dict=dict(w=torch.ones(2)))
    model = torch.nn.Module()
    model.register_buffer('w', torch.zeros(2))
    runner = types.SimpleNamespace(cfg=dict(resume=True), model=model)
    hook = SafeCheckpointHook()
    hook.before_save_checkpoint(runner, checkpoint)
    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=True)  # no trust needed
    draw = np.random.rand()
    hook.after_load_checkpoint(runner, loaded)  # restores the generators
    assert np.random.rand() == draw
    scalars = loaded['message_hub']['log_scalars']
    assert isinstance(scalars['train/loss'], HistoryBuffer)
    assert scalars['train/loss'].mean() == np.mean([1.0, 2.0, 4.0])
    assert loaded['message_hub']['runtime_info']['eta'] == 12.5
    assert loaded['meta']['seed'] == 3
    restored = MessageHub.get_instance('safe_ckpt_test_2')
    restored.load_state_dict(loaded['message_hub'])
    assert restored.get_scalar('train/loss').current() == 4.0


def test_loaded_weights_must_fit_unless_expected():
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(3, 4))
    other = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(3, 6))
    runner = types.SimpleNamespace(
        cfg=dict(resume=False, load_from='other.pth'), model=model)
    with pytest.raises(
            ValueError,
            match=r'other\.pth does not fit .*shape mismatch: 1\.weight '
            r'\(6, 3\) vs \(4, 3\).*expected_mismatch'):
        SafeCheckpointHook().after_load_checkpoint(
            runner, dict(state_dict=other.state_dict()))
    checkpoint = dict(state_dict=other.state_dict())
    SafeCheckpointHook(expected_mismatch=[r'1\..*']).after_load_checkpoint(
        runner, checkpoint)
    assert sorted(checkpoint['state_dict']) == ['0.bias', '0.weight']


def test_data_loaders_get_their_own_generators():
    loader = torch.utils.data.DataLoader(range(4))
    runner = types.SimpleNamespace(
        seed=3,
        train_loop=types.SimpleNamespace(dataloader=loader),
        val_loop=None)
    SafeCheckpointHook().before_train(runner)
    torch.manual_seed(0)
    expected = torch.rand(1)
    torch.manual_seed(0)
    for _ in range(3):  # starting an iterator draws from the loader's own
        list(loader)
    assert torch.equal(torch.rand(1), expected)


def test_the_checkpoint_to_load_is_verified_first(tmp_path):
    """A truncated or foreign load_from is refused before mmengine reads it;
    the classes of a trusted one are allowed for the run's loads."""
    from mmwsss.utils import CheckpointError, trust_checkpoints
    from mmwsss.utils.checkpoint import _TRUSTED
    path = tmp_path / 'foreign.pth'
    torch.save(dict(state_dict={}, extra=Foreign()), path)
    runner = types.SimpleNamespace(cfg=dict(load_from=str(path)))
    with pytest.raises(CheckpointError, match='foreign.pth: .*Foreign'):
        SafeCheckpointHook().before_run(runner)
    cut = tmp_path / 'cut.pth'
    cut.write_bytes(path.read_bytes()[:100])
    with pytest.raises(CheckpointError, match='cut.pth: it is truncated'):
        SafeCheckpointHook().before_run(
            types.SimpleNamespace(cfg=dict(load_from=str(cut))))
    SafeCheckpointHook().before_run(types.SimpleNamespace(cfg=dict()))
    trust_checkpoints([str(path)])
    try:
        SafeCheckpointHook().before_run(runner)
        assert Foreign in torch.serialization.get_safe_globals()
        assert isinstance(torch.load(path)['extra'], Foreign)
    finally:
        _TRUSTED.clear()
        torch.serialization.clear_safe_globals()


class Foreign:
    """A class of another codebase's checkpoint."""


class _Loop(BaseLoop):
    """A built training loop, for the hook's "training" check."""

    def run(self):
        pass


def test_pretrained_checkpoints_of_a_training_are_verified(tmp_path):
    """A truncated stage-1 checkpoint initialising a stage-2 backbone is
    refused in one line before training; a test does not read it."""
    good = tmp_path / 'imagenet.pth'
    torch.save(dict(state_dict={}), good)
    cut = tmp_path / 'stage1.pth'
    cut.write_bytes(good.read_bytes()[:100])
    model = dict(
        type='EncoderDecoder',
        backbone=dict(init_cfg=[
            dict(type='Kaiming', layer='Conv2d'),
            dict(type='Pretrained', checkpoint=str(cut), prefix='backbone.')
        ]),
        decode_head=dict(
            init_cfg=dict(type='Pretrained', checkpoint=str(good))))
    assert pretrained_checkpoints(model) == [str(cut), str(good)]
    training = types.SimpleNamespace(
        cfg=dict(model=model), _train_loop=_Loop.__new__(_Loop))
    with pytest.raises(CheckpointError, match='stage1.pth: it is truncated'):
        SafeCheckpointHook().before_run(training)
    testing = types.SimpleNamespace(
        cfg=dict(model=model), _train_loop=dict(type='EpochBasedTrainLoop'))
    SafeCheckpointHook().before_run(testing)
    # a checkpoint whose bytes changed after its checksum was written
    (tmp_path / 'imagenet.pth.sha256').write_text('0' * 64 + '  x\n')
    model['backbone']['init_cfg'].pop()
    with pytest.raises(CheckpointError, match='imagenet.pth is corrupt'):
        SafeCheckpointHook().before_run(training)
