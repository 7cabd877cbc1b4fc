import copy
import os.path as osp

import pytest
import torch
from classifier_helpers import TINY_EPS_CONTRAST, TINY_PCM, build
from mmengine.config import Config

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', '..', 'configs')


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
            contrast=TINY_EPS_CONTRAST))
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


def test_eps_inference_defaults_are_the_authors():
    """EPS's infer.py (also EPS + PPC's contrast_infer.py): softmax of the
    raw CAM, upsampled from the feature grid, divided by its maximum."""
    for model in (build(dict(type='EPS')),
                  build(
                      dict(type='EPS', pcm_head=TINY_PCM,
                           pcm_in_index=(1, 2)))):
        cfg = model.test_cfg
        assert (cfg.cam, cfg.cam_norm, cfg.cam_upsample, cfg.img_resize) == \
            ('softmax', 'max', 'direct', 'pil_bicubic')
    assert build(
        dict(type='EPS',
             test_cfg=dict(cam_norm='minmax'))).test_cfg.cam_norm == 'minmax'


def _train_config(name):
    return Config.fromfile(osp.join(CONFIGS, name))


def test_eps_voc_config_is_the_authors_schedule():
    """halbielee/EPS: 20k updates of batch 8, resize-long 256-512, crop 448,
    their PolyOptimizer (momentum = weight decay = 5e-4)."""
    cfg = _train_config('eps/eps_r38d_1xb8-20k_voc12aug-448x448.py')
    assert cfg.train_dataloader.batch_size == 8
    assert cfg.train_cfg.max_iters == 20000
    assert cfg.optim_wrapper.get('accumulative_counts', 1) == 1
    assert cfg.optim_wrapper.optimizer.momentum == 5e-4
    # poly over the whole loop: the runner ends it at max_iters
    assert 'end' not in cfg.param_scheduler[0]
    pipeline = {t.type: t for t in cfg.train_dataloader.dataset.pipeline}
    assert (pipeline['RandomResizeLong'].min_long,
            pipeline['RandomResizeLong'].max_long) == (256, 512)
    assert pipeline['RandomCropPad'].crop_size == 448


def test_eps_ppc_voc_config_is_the_authors_schedule():
    """usr922/wseg esp: 10k iterations of iter_size 2, an update at each
    inner iteration (20k updates of batch 8), resize-long 448-768, the poly
    schedule over (10582 // 8) * 15 updates."""
    cfg = _train_config('ppc/ppc-eps_r38d_1xb8-20k_voc12aug-448x448.py')
    assert cfg.train_dataloader.batch_size == 8
    assert cfg.train_cfg.max_iters == 20000
    assert cfg.optim_wrapper.get('accumulative_counts', 1) == 1
    assert cfg.param_scheduler[0].end == 19830
    pipeline = {t.type: t for t in cfg.train_dataloader.dataset.pipeline}
    assert (pipeline['RandomResizeLong'].min_long,
            pipeline['RandomResizeLong'].max_long) == (448, 768)
    assert 'TwoViewTransform' in pipeline
