import types
import warnings

import pytest
import torch

from mmwsss.engine.hooks import FiniteLossHook


def _runner(it=41, epoch=2):
    return types.SimpleNamespace(iter=it, epoch=epoch)


def test_finite_losses_pass():
    FiniteLossHook().after_train_iter(
        _runner(), 0, outputs=dict(loss=torch.tensor(1.), loss_cls=0.5))


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
