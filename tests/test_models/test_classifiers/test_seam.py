import copy

import pytest
import torch
from classifier_helpers import TINY_CONTRAST, TINY_PCM, build


def _seam(**kwargs):
    cfg = dict(type='SEAM', pcm_head=TINY_PCM, pcm_in_index=(1, 2))
    cfg.update(kwargs)
    return build(cfg)


def _loss(model, batch):
    data = model.data_preprocessor(copy.deepcopy(batch), True)
    return model.loss(data['inputs'], data['data_samples'])


def test_seam_train_step(two_view_batch):
    model = _seam()
    model.train()
    losses = _loss(model, two_view_batch)
    assert set(losses) == {'loss_cls', 'loss_minpool', 'loss_er', 'loss_ecr'}
    assert all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()
    assert model.pcm_head.embed.weight.grad.abs().sum() > 0
    assert model.cam_head.conv.weight.grad.abs().sum() > 0


def test_seam_step_through_optim_wrapper(two_view_batch):
    """A full train_step (preprocessor, loss, parsing, update) on CPU."""
    from mmengine.optim import OptimWrapper
    model = _seam()
    model.train()
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    before = model.cam_head.conv.weight.detach().clone()
    log = model.train_step(copy.deepcopy(two_view_batch), wrapper)
    assert torch.isfinite(log['loss'])
    assert not torch.equal(before, model.cam_head.conv.weight)


def test_single_view_has_no_cross_view_terms(two_view_batch):
    model = _seam()
    batch = copy.deepcopy(two_view_batch)
    for sample in batch['data_samples']:
        del sample.view2_inputs
    assert set(_loss(model, batch)) == {'loss_cls', 'loss_minpool'}


def test_parts_switch_off(two_view_batch):
    model = _seam(loss_er=None, loss_ecr=None, loss_minpool=None)
    assert set(_loss(model, two_view_batch)) == {'loss_cls'}


def test_ppc_plugin_adds_losses_and_keeps_inference_identical(two_view_batch):
    base = _seam()
    with_ppc = _seam(contrast=TINY_CONTRAST)
    # the same weights for every shared parameter
    missing, unexpected = with_ppc.load_state_dict(
        base.state_dict(), strict=False)
    assert unexpected == [] and all(k.startswith('contrast.') for k in missing)
    # inference: bit-identical CAMs, the projection is never run
    outs = []
    for model in (base, with_ppc):
        model.eval()
        model.test_cfg.scales = (1.0, 1.5)
        with torch.no_grad():
            outs.append(model.test_step(copy.deepcopy(two_view_batch)))
    for a, b in zip(*outs):
        assert torch.equal(a.pred_cam.data, b.pred_cam.data)
        assert torch.equal(a.pred_sem_seg.data, b.pred_sem_seg.data)
    # training: the plug-in adds its losses and trains its projection
    with_ppc.train()
    losses = _loss(with_ppc, two_view_batch)
    assert {'loss_cross_proto', 'loss_cross_label',
            'loss_intra'} <= set(losses)
    assert all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()
    assert with_ppc.contrast.projection.conv.weight.grad.abs().sum() > 0


def test_contrast_needs_pcm(two_view_batch):
    model = build(dict(type='SEAM', pcm_head=None, contrast=TINY_CONTRAST))
    with pytest.raises(ValueError, match='needs a pcm_head'):
        _loss(model, two_view_batch)


def test_refined_inference_needs_pcm():
    with pytest.raises(ValueError, match='needs a pcm_head'):
        build(dict(type='SEAM', pcm_head=None, test_cfg=dict(cam='refined')))
