import types
import warnings

import pytest
import torch

from mmwsss.engine.hooks import FiniteLossHook


def _runner(it=41, epoch=2):
    return types.SimpleNamespace(iter=it, epoch=epoch)


@pytest.mark.parametrize('value, finite', [(1., True), (3.4e38, True),
                                           (-0., True), (float('inf'), False),
                                           (float('-inf'), False),
                                           (float('nan'), False)])
def test_only_non_finite_losses_stop(value, finite):
    outputs = dict(loss=torch.tensor(1.), loss_cls=torch.tensor(value))
    try:
        FiniteLossHook().after_train_iter(_runner(), 0, outputs=outputs)
        stopped = False
    except RuntimeError:
        stopped = True
    assert stopped is not finite


def test_losses_with_gradient_are_read_without_warning():
    loss = torch.tensor(1., requires_grad=True) * 2
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        FiniteLossHook().after_train_iter(
            _runner(), 0, outputs=dict(loss=loss, loss_cls=loss))


def test_nan_stops_with_iteration_and_terms():
    outputs = dict(
        loss=torch.tensor(float('nan')),
        loss_cls=torch.tensor(0.25),
        loss_er=torch.tensor(float('inf')))
    with pytest.raises(
            RuntimeError,
            match=r'iteration 42 \(epoch 3\): '
            r'loss=nan, loss_cls=0\.25, loss_er=inf'):
        FiniteLossHook().after_train_iter(_runner(), 0, outputs=outputs)
    assert FiniteLossHook.priority == 'VERY_HIGH'  # before checkpoints
