import copy
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from classifier_helpers import TINY_CONTRAST, TINY_PCM, build
from mmengine.config import Config

from mmwsss.models.classifiers import SEAM
from mmwsss.structures import WSSSDataSample

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(__file__))))
AUTHORS = torch.load(
    osp.join(ROOT, 'tests', 'data', 'authors_seam_losses.pt'),
    weights_only=True)
#: fixture case -> the shipped config whose losses reproduce it
AUTHORS_CONFIGS = {
    'seam': 'configs/seam/seam_r38d_1xb8-8e_voc12aug-448x448.py',
    'seam_ppc': 'configs/ppc/ppc-seam_r38d_1xb8-8e_voc12aug-448x448.py',
    'eps_ppc': 'configs/ppc/ppc-eps_r38d_1xb8-20k_voc12aug-448x448.py',
}


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


def test_bad_train_cfg_is_refused():
    with pytest.raises(ValueError, match='train_cfg.cross_view_norm'):
        _seam(train_cfg=dict(cross_view_norm='never'))


# ------------------------------------------------- the authors' losses
def _authors_model(case: str, **train_cfg) -> SEAM:
    """The loss settings of the case's shipped config on the tiny network
    (the fixture holds the CAMs, the network only has to build)."""
    model = Config.fromfile(osp.join(ROOT, AUTHORS_CONFIGS[case])).model
    keys = ('type', 'bg_index', 'loss_cls', 'loss_er', 'loss_ecr',
            'loss_minpool', 'train_cfg')
    cfg = {key: model[key] for key in keys if key in model}
    cfg['train_cfg'] = {**cfg.get('train_cfg', {}), **train_cfg}
    return build(dict(cfg, pcm_head=TINY_PCM, pcm_in_index=(1, 2)))


def _authors_views(case: str):
    """The fixture's maps of both views as
    :meth:`TwoViewClassifier.view_forward` gives them, the views, labels and
    samples relating view 2 (view 1 resized)."""
    inputs, expected = AUTHORS['inputs'], AUTHORS['cases'][case]
    img1 = inputs['img1'].float()
    size1, size2 = tuple(img1.shape[-2:]), tuple(expected['view2_size'])
    cams = (inputs['view1']['conv6'], inputs[expected['view2']]['conv6'])
    outs = [
        dict(feat=None, cam=cam, cam_rv=expected[f'cam_rv{i}'], input_size=s)
        for i, cam, s in zip((1, 2), cams, (size1, size2))
    ]
    relation = dict(
        src_shape=size1,
        dst_shape=size2,
        scale=(size2[0] / size1[0], size2[1] / size1[1]),
        offset=(0, 0),
        flip=False)
    samples = [
        WSSSDataSample(metainfo=dict(view_relation=relation)) for _ in img1
    ]
    views = [img1, img1.new_zeros(len(img1), 3, *size2)]
    return outs, views, inputs['labels'], samples


def _assert_close(actual: torch.Tensor, expected: torch.Tensor) -> None:
    torch.testing.assert_close(actual, expected, rtol=1e-5, atol=0)


@pytest.mark.parametrize('case', sorted(AUTHORS_CONFIGS))
def test_view_losses_equal_authors(case):
    """Classification and min-pooling losses of each view (SEAM's part of
    the view losses; EPS adds its saliency loss)."""
    model = _authors_model(case)
    outs, _, labels, samples = _authors_views(case)
    expected = AUTHORS['cases'][case]
    for view, out in enumerate(outs):
        losses = SEAM.view_losses(model, out, labels, samples, view)
        _assert_close(losses['loss_cls'], expected[f'loss_cls{view + 1}'])
        _assert_close(losses['loss_minpool'],
                      expected[f'loss_minpool{view + 1}'])


@pytest.mark.parametrize('case', sorted(AUTHORS_CONFIGS))
def test_cross_view_losses_equal_authors(case):
    """ER and ECR from the raw and refined CAMs of both views."""
    model = _authors_model(case)
    losses = model.cross_view_losses(*_authors_views(case))
    assert set(losses) == {'loss_er', 'loss_ecr'}
    for name in losses:
        _assert_close(losses[name], AUTHORS['cases'][case][name])


@pytest.mark.parametrize('align_corners', (True, False))
def test_warp_then_normalise(align_corners):
    """``cross_view_norm='after_warp'``: view 1's feature-grid CAM resized
    straight onto view 2's input grid, then normalised."""
    model = _authors_model(
        'seam_ppc', cross_view_norm='after_warp', align_corners=align_corners)
    outs, views, labels, samples = _authors_views('seam_ppc')
    size2 = views[1].shape[-2:]

    def norm_on_view2(cam):
        cam = F.interpolate(
            cam, size2, mode='bilinear', align_corners=align_corners).relu()
        low = cam.amin((2, 3), keepdim=True)
        high = cam.amax((2, 3), keepdim=True)
        return (cam - low - 1e-5).relu() / (high - low + 1e-5)

    cam1, cam2 = (norm_on_view2(out['cam'])[:, 1:] for out in outs)
    mask = labels[..., None, None]
    expected = ((cam1 - cam2) * mask).abs().mean()
    loss = model.cross_view_losses(outs, views, labels, samples)['loss_er']
    _assert_close(loss, expected)


def test_feature_grid_view_losses_pool_the_feature_stride():
    model = _authors_model('seam', view_loss_grid='feature')
    outs, _, labels, samples = _authors_views('seam')
    cam = outs[0]['cam']
    expected = F.multilabel_soft_margin_loss(cam[:, 1:].mean((2, 3)), labels)
    losses = model.view_losses(outs[0], labels, samples, 0)
    _assert_close(losses['loss_cls'], expected)


@pytest.mark.parametrize('name', [
    'seam/seam_r38d_1xb8-8e_voc12aug-448x448.py',
    'ppc/ppc-seam_r38d_1xb8-8e_voc12aug-448x448.py'
])
def test_voc_config_is_the_authors_optimizer(name):
    """The authors' PolyOptimizer hands weight_decay to SGD as its momentum:
    momentum = weight decay = 5e-4; 8 epochs of batch 8, lr 0.01."""
    cfg = Config.fromfile(osp.join(ROOT, 'configs', name))
    assert cfg.optim_wrapper.optimizer.momentum == 5e-4
    assert cfg.optim_wrapper.optimizer.weight_decay == 5e-4
    assert cfg.optim_wrapper.optimizer.lr == 0.01
    assert cfg.train_dataloader.batch_size == 8
    assert cfg.train_cfg.max_epochs == 8
