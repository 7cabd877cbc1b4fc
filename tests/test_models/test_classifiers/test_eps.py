import copy

import pytest
import torch
from classifier_helpers import TINY_CONTRAST, TINY_PCM, build


def _loss(model, batch):
    data = model.data_preprocessor(copy.deepcopy(batch), True)
    return model.loss(data['inputs'], data['data_samples'])


def single_view(batch):
    batch = copy.deepcopy(batch)
    for sample in batch['data_samples']:
        del sample.view2_inputs
        del sample.view2_saliency
    return batch


def test_eps_train_step(two_view_batch):
    model = build(dict(type='EPS'))
    assert model.bg_index == -1 and model.test_cfg.cam == 'softmax'
    losses = _loss(model, single_view(two_view_batch))
    assert set(losses) == {'loss_cls', 'loss_sal'}
    assert all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()
    assert model.cam_head.conv.weight.grad.abs().sum() > 0


def test_eps_ppc_train_step(two_view_batch):
    model = build(
        dict(
            type='EPS',
            pcm_head=TINY_PCM,
            pcm_in_index=(1, 2),
            loss_er=dict(type='EquivariantRegularizationLoss'),
            loss_ecr=dict(type='EquivariantCrossRegularizationLoss'),
            loss_minpool=dict(type='AdaptiveMinPoolingLoss'),
            contrast=dict(TINY_CONTRAST, bg_score=0.1, topk_divisor=16)))
    losses = _loss(model, two_view_batch)
    assert set(losses) == {
        'loss_cls', 'loss_minpool', 'loss_sal', 'loss_sal_rv', 'loss_er',
        'loss_ecr', 'loss_cross_proto', 'loss_cross_label', 'loss_intra'
    }
    assert all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()


def test_eps_without_saliency_is_explained(two_view_batch):
    model = build(dict(type='EPS'))
    batch = single_view(two_view_batch)
    for sample in batch['data_samples']:
        del sample.gt_saliency
    with pytest.raises(KeyError, match='LoadSaliencyFromFile'):
        _loss(model, batch)


def test_eps_inference_is_softmax_foreground(two_view_batch):
    model = build(dict(type='EPS'))
    model.eval()
    x = torch.randn(2, 3, 32, 32)
    cam = model.inference_cam(x)
    expected = model._forward(x).softmax(dim=1)[:, :-1]
    assert torch.allclose(cam, expected)
