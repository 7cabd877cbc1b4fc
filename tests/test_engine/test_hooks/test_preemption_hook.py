import os
import os.path as osp
import signal
import types

import pytest
import torch
import torch.nn as nn
from mmengine.evaluator import BaseMetric
from mmengine.hooks import Hook
from mmengine.logging import MMLogger
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

from mmwsss.engine.hooks import PreemptionHook
from mmwsss.engine.hooks.preemption_hook import RestOfEpoch


class _Toy(BaseModel):
    """A linear regression with dropout (it draws random numbers)."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(4, 1)
        self.dropout = nn.Dropout(0.5)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.linear(self.dropout(torch.stack(inputs)))
        if mode == 'loss':
            return dict(loss=((out - torch.stack(data_samples))**2).mean())
        return out


class _Data(Dataset):
    """12 samples: 4 iterations of batch 3 per epoch."""

    def __init__(self) -> None:
        generator = torch.Generator().manual_seed(0)
        self.x = torch.randn(12, 4, generator=generator)
        self.y = torch.randn(12, 1, generator=generator)

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, index):
        return dict(inputs=self.x[index], data_samples=self.y[index])


class _SignalAt(Hook):
    """Send ``signum`` to this process during iteration ``iteration``."""

    def __init__(self, iteration: int, signum: int) -> None:
        self.iteration = iteration
        self.signum = signum

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter + 1 == self.iteration:
            os.kill(os.getpid(), self.signum)


def _train(work_dir, name, hooks=(), resume_from=None, checkpoint=None):
    torch.manual_seed(0)  # the same initial weights
    runner = Runner(
        model=_Toy(),
        work_dir=str(work_dir),
        experiment_name=name,
        train_dataloader=dict(
            dataset=_Data(),
            sampler=dict(type='DefaultSampler', shuffle=True),
            batch_size=3,
            num_workers=0),
        optim_wrapper=dict(
            optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        param_scheduler=dict(type='PolyLR', power=0.9, by_epoch=False),
        train_cfg=dict(by_epoch=True, max_epochs=3),
        default_hooks=dict(
            checkpoint=dict(
                dict(
                    type='CheckpointHook',
                    interval=1,
                    backend_args=dict(backend='atomic_local')),
                **(checkpoint or {})),
            logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=[dict(type='SafeCheckpointHook'), *hooks],
        randomness=dict(seed=0),
        default_scope='mmwsss',
        resume=resume_from is not None,
        load_from=resume_from,
        cfg=dict(resume=resume_from is not None))
    runner.register_hook(PreemptionHook())
    runner.train()
    return torch.load(
        osp.join(work_dir, 'epoch_3.pth'), weights_only=True)


def _tensors(checkpoint):
    """The model's and the optimizer's tensors, by name."""
    found = dict(checkpoint['state_dict'])
    for param, state in checkpoint['optimizer']['state'].items():
        for key, value in state.items():
            found[f'optimizer.{param}.{key}'] = value
    return found


@pytest.mark.parametrize('name, status', [('SIGTERM', 143), ('SIGINT', 130)])
def test_signal_saves_mid_epoch_and_resume_is_exact(tmp_path, name, status):
    whole = _tensors(_train(tmp_path / 'whole', f'whole_{name}'))
    signum = signal.Signals[name]
    before = signal.getsignal(signum)
    cut = tmp_path / 'cut'
    with pytest.raises(SystemExit) as stop:
        _train(cut, f'cut_{name}', [_SignalAt(6, signum)])
    assert stop.value.code == status
    assert signal.getsignal(signum) is before
    saved = str(cut / 'iter_6.pth')
    assert (cut / 'last_checkpoint').read_text() == saved
    meta = torch.load(saved, weights_only=True)['meta']
    assert (meta['epoch'], meta['iter']) == (1, 6)  # 2 batches of epoch 2
    assert not (cut / 'epoch_2.pth').exists()

    resumed = _tensors(_train(cut, f'resumed_{name}', resume_from=saved))
    assert resumed.keys() == whole.keys()
    differ = [k for k in whole if not torch.equal(whole[k], resumed[k])]
    assert not differ, differ
    assert signal.getsignal(signum) is before
    # the stop's checkpoint went once epoch_2.pth replaced it
    assert not (cut / 'iter_6.pth').exists()
    assert not (cut / 'iter_6.pth.sha256').exists()
    assert (cut / 'epoch_3.pth').exists()


def test_a_stop_checkpoint_stays_until_replaced(tmp_path):
    """Stopped at 6, resumed and stopped at 7 (before the epoch's
    checkpoint at 8): iter_6.pth goes, iter_7.pth stays until epoch_2.pth
    replaces it."""
    with pytest.raises(SystemExit):
        _train(tmp_path, 'first', [_SignalAt(6, signal.SIGTERM)])
    with pytest.raises(SystemExit):
        _train(tmp_path, 'second', [_SignalAt(7, signal.SIGTERM)],
               resume_from=str(tmp_path / 'iter_6.pth'))
    assert not (tmp_path / 'iter_6.pth').exists()
    assert (tmp_path / 'iter_7.pth').exists()
    assert (tmp_path / 'last_checkpoint').read_text() == str(
        tmp_path / 'iter_7.pth')
    meta = torch.load(tmp_path / 'iter_7.pth', weights_only=True)['meta']
    assert meta['preemption_checkpoint'] == 'iter_7.pth'
    _train(tmp_path, 'third', resume_from=str(tmp_path / 'iter_7.pth'))
    assert not (tmp_path / 'iter_7.pth').exists()
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == [
        'epoch_1.pth', 'epoch_2.pth', 'epoch_3.pth'
    ]


def test_a_stop_at_a_regular_checkpoint_saves_nothing_more(tmp_path):
    """Iteration 6 is also a regular ``iter_6.pth`` (by_epoch=False,
    interval 6): the stop keeps it as the regular checkpoint."""
    with pytest.raises(SystemExit):
        _train(tmp_path, 'stop', [_SignalAt(6, signal.SIGTERM)],
               checkpoint=dict(by_epoch=False, interval=6))
    saved = torch.load(tmp_path / 'iter_6.pth', weights_only=True)
    assert 'preemption_checkpoint' not in saved['meta']
    assert (tmp_path / 'last_checkpoint').read_text() == str(
        tmp_path / 'iter_6.pth')


class _SignalAtTestBatch(Hook):
    """Send ``signum`` to this process during test batch ``batch``."""

    def __init__(self, batch: int, signum: int) -> None:
        self.batch = batch
        self.signum = signum
        self.seen = []

    def after_test_iter(self, runner, batch_idx, data_batch=None,
                        outputs=None):
        self.seen.append(batch_idx)
        if batch_idx == self.batch:
            os.kill(os.getpid(), self.signum)


class _Count(BaseMetric):
    """The number of samples tested."""

    def process(self, data_batch, data_samples) -> None:
        self.results.append(len(data_samples))

    def compute_metrics(self, results) -> dict:
        return dict(count=sum(results))


def _test(work_dir, hooks=()):
    runner = Runner(
        model=_Toy(),
        work_dir=str(work_dir),
        experiment_name=f'test_{len(hooks)}',
        test_dataloader=dict(
            dataset=_Data(),
            sampler=dict(type='DefaultSampler', shuffle=False),
            batch_size=3,
            num_workers=0),
        test_evaluator=_Count(),
        test_cfg=dict(),
        custom_hooks=list(hooks),
        default_scope='mmwsss')
    runner.register_hook(PreemptionHook())
    return runner.test()


def test_signal_stops_a_test_after_the_batch_in_hand(tmp_path):
    before = signal.getsignal(signal.SIGTERM)
    assert _test(tmp_path / 'whole') == dict(count=12)  # 4 batches
    hook = _SignalAtTestBatch(1, signal.SIGTERM)
    with pytest.raises(SystemExit) as stop:
        _test(tmp_path / 'cut', [hook])
    assert stop.value.code == 143 and hook.seen == [0, 1]
    assert signal.getsignal(signal.SIGTERM) is before


def test_rest_of_epoch_skips_the_trained_indices():
    rest = RestOfEpoch(range(10), 4)
    assert list(rest) == [4, 5, 6, 7, 8, 9] and len(rest) == 6
    assert list(RestOfEpoch(range(3), 6)) == [] and \
        len(RestOfEpoch(range(3), 6)) == 0


def test_unknown_signals_are_refused():
    with pytest.raises(ValueError, match='SIGTREM'):
        PreemptionHook(signals=('SIGTERM', 'SIGTREM'))


def test_a_copied_work_dir_keeps_its_stop_checkpoint_until_replaced(
        tmp_path):
    """In a copy of a work dir, last_checkpoint still holds the original's
    path of the same checkpoint: that does not replace the copy's file."""
    original, copy = tmp_path / 'original', tmp_path / 'copy'
    for folder in (original, copy):
        folder.mkdir()
        (folder / 'iter_6.pth').write_bytes(b'stop')
    (copy / 'iter_6.pth.sha256').write_text('0' * 64 + '  iter_6.pth\n')
    (copy / 'last_checkpoint').write_text(str(original / 'iter_6.pth'))
    runner = types.SimpleNamespace(
        work_dir=str(copy), logger=MMLogger.get_instance('copied_work_dir'))
    hook = PreemptionHook()
    hook._resumed_stop = (str(copy / 'iter_6.pth'), 6)
    hook._remove_replaced_stop(runner)
    assert (copy / 'iter_6.pth').exists()
    (copy / 'epoch_2.pth').write_bytes(b'regular')
    (copy / 'last_checkpoint').write_text(str(copy / 'epoch_2.pth'))
    hook._remove_replaced_stop(runner)
    assert not (copy / 'iter_6.pth').exists()
    assert not (copy / 'iter_6.pth.sha256').exists()
    assert (original / 'iter_6.pth').exists()
