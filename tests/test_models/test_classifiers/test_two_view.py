"""The two-view classifier shared by SEAM and EPS.

Its ER and ECR against a direct NumPy computation of their formulas, with
the default ``train_cfg``: each view's CAMs upsampled to its input
size (bilinear, corner samples on corner samples), view 1's maps min-max
normalised there and then resampled onto view 2's input grid, view 2's
normalised on its own grid, both masked by the labels (background kept).
"""
import copy

import numpy as np
import pytest
import torch
from classifier_helpers import TINY_CONTRAST, TINY_PCM, build

from mmwsss.models import classifiers
from mmwsss.structures import WSSSDataSample

EPS = 1e-5
SIZE1, SIZE2 = (6, 7), (4, 5)  # the views' input sizes
LABELS = np.array([[1., 0, 1], [0, 1, 0]])  # 2 images, 3 classes


def _maps(seed: int) -> dict:
    """Raw and refined CAMs (bg first) of both views at the feature grid."""
    rng = np.random.default_rng(seed)
    return {
        key: (rng.normal(size=(2, 4, 3, 4)), rng.normal(size=(2, 4, 2, 3)))
        for key in ('cam', 'cam_rv')
    }


def _resize(x: np.ndarray, size: tuple) -> np.ndarray:
    """Bilinear resize of (N, K, h, w) maps whose corner samples stay on
    the corner samples: output sample i of an axis reads input position
    ``i * (n_in - 1) / (n_out - 1)``."""
    for axis, n_out in zip((2, 3), size):
        n_in = x.shape[axis]
        positions = np.linspace(0, n_in - 1, n_out)
        x = np.apply_along_axis(
            lambda line: np.interp(positions, np.arange(n_in), line), axis,
            x)
    return x


def _minmax(x: np.ndarray) -> np.ndarray:
    """``relu(x - min - eps) / (max - min + eps)`` of each ReLU'd map."""
    x = np.maximum(x, 0)
    low = x.min((2, 3), keepdims=True)
    high = x.max((2, 3), keepdims=True)
    return np.maximum(x - low - EPS, 0) / (high - low + EPS)


def _aligned(maps: tuple, flip: bool) -> tuple:
    """Both views' normalised, label-masked maps on view 2's input grid."""
    view1 = _resize(_minmax(_resize(maps[0], SIZE1)), SIZE2)
    if flip:
        view1 = view1[..., ::-1]
    view2 = _minmax(_resize(maps[1], SIZE2))
    mask = np.concatenate([np.ones((2, 1)), LABELS], 1)[..., None, None]
    return view1 * mask, view2 * mask


def _with_bg(cam: np.ndarray) -> np.ndarray:
    """Background channel 0 set to 1 - the largest foreground value."""
    cam = cam.copy()
    cam[:, 0] = 1 - cam[:, 1:].max(1)
    return cam


def _max_onehot(cam: np.ndarray) -> np.ndarray:
    """Non-maximal foreground values zeroed, the background kept."""
    fg = cam[:, 1:]
    return np.concatenate(
        [cam[:, :1], fg * (fg == fg.max(1, keepdims=True))], 1)


def _ecr_one_way(cam_rv: np.ndarray, other_cam: np.ndarray) -> float:
    """Mean over images of the top 20% of |onehot(other) - cam_rv|."""
    diff = np.abs(_max_onehot(other_cam) - cam_rv).reshape(2, -1)
    top = -np.sort(-diff, axis=1)[:, :int(diff.shape[1] * 0.2)]
    return top.mean()


@pytest.mark.parametrize('flip', [False, True])
def test_er_and_ecr_equal_their_formulas(flip):
    maps = _maps(seed=int(flip))
    cam1, cam2 = _aligned(maps['cam'], flip)
    expected_er = np.abs(cam1[:, 1:] - cam2[:, 1:]).mean()
    cam1, cam2 = _with_bg(cam1), _with_bg(cam2)
    cam_rv1, cam_rv2 = _aligned(maps['cam_rv'], flip)
    expected_ecr = (
        _ecr_one_way(cam_rv1, cam2) + _ecr_one_way(cam_rv2, cam1))

    model = build(dict(type='SEAM', pcm_head=TINY_PCM, pcm_in_index=(1, 2)))
    outs = [
        dict(
            feat=None,
            cam=torch.tensor(maps['cam'][view], dtype=torch.float32),
            cam_rv=torch.tensor(maps['cam_rv'][view], dtype=torch.float32),
            input_size=size) for view, size in enumerate((SIZE1, SIZE2))
    ]
    relation = dict(
        src_shape=SIZE1,
        dst_shape=SIZE2,
        scale=(SIZE2[0] / SIZE1[0], SIZE2[1] / SIZE1[1]),
        offset=(0, 0),
        flip=flip)
    samples = [
        WSSSDataSample(metainfo=dict(view_relation=relation))
        for _ in range(2)
    ]
    views = [torch.zeros(2, 3, *SIZE1), torch.zeros(2, 3, *SIZE2)]
    losses = model.cross_view_losses(outs, views,
                                     torch.tensor(LABELS).float(), samples)
    assert set(losses) == {'loss_er', 'loss_ecr'}
    assert losses['loss_er'].item() == pytest.approx(expected_er, rel=1e-5)
    assert losses['loss_ecr'].item() == pytest.approx(expected_ecr, rel=1e-5)


#: Every part of SEAM and EPS + PPC, on the tiny backbone
PARTS = dict(
    pcm_head=TINY_PCM,
    pcm_in_index=(1, 2),
    loss_er=dict(type='EquivariantRegularizationLoss'),
    loss_ecr=dict(type='EquivariantCrossRegularizationLoss'),
    loss_minpool=dict(type='AdaptiveMinPoolingLoss'))


def _loss(model, batch) -> dict:
    data = model.data_preprocessor(copy.deepcopy(batch), True)
    torch.manual_seed(1)  # the same dropout masks for both models
    return {
        k: v.item()
        for k, v in model.loss(data['inputs'], data['data_samples']).items()
    }


def test_seam_is_its_defaults(two_view_batch):
    """SEAM is the two-view classifier with its authors' defaults, no more:
    the same losses, the same options."""
    seam = build(dict(type='SEAM', pcm_head=TINY_PCM, pcm_in_index=(1, 2)))
    spelled = build(
        dict(
            type='TwoViewClassifier',
            bg_index=0,
            dropout_ratio=0.5,
            test_cfg=dict(cam_norm='minmax', cam_upsample='via_input'),
            **PARTS))
    assert seam.train_cfg == spelled.train_cfg
    assert seam.test_cfg == spelled.test_cfg
    assert _loss(seam, two_view_batch) == _loss(spelled, two_view_batch)


def test_eps_is_its_defaults_plus_saliency(two_view_batch):
    """EPS + PPC's parts on EPS give the two-view classifier's losses (on
    the feature grid, background last) plus the saliency terms; EPS is not
    a SEAM."""
    eps = build(dict(type='EPS', **PARTS))
    spelled = build(
        dict(
            type='TwoViewClassifier',
            bg_index=-1,
            train_cfg=dict(cross_view_grid='feature'),
            test_cfg=dict(cam='softmax'),
            **PARTS))
    assert isinstance(eps, classifiers.EPS)
    assert not isinstance(eps, classifiers.SEAM)
    assert eps.train_cfg == spelled.train_cfg
    assert eps.test_cfg == spelled.test_cfg
    losses = _loss(eps, two_view_batch)
    assert set(losses) - set(_loss(spelled, two_view_batch)) == {
        'loss_sal', 'loss_sal_rv'
    }
    del losses['loss_sal'], losses['loss_sal_rv']
    assert losses == _loss(spelled, two_view_batch)


def test_parts_are_off_unless_configured(two_view_batch):
    model = build(dict(type='TwoViewClassifier', bg_index=0))
    assert model.pcm_head is None and model.test_cfg.cam == 'raw'
    assert set(_loss(model, two_view_batch)) == {'loss_cls'}


def test_background_channel_is_required():
    with pytest.raises(ValueError, match='bg_index 0 or -1'):
        build(dict(type='TwoViewClassifier', bg_index=None))


@pytest.mark.parametrize('bg_index', (0, -1))
def test_parts_get_the_background_channel(bg_index):
    model = build(
        dict(
            type='EPS',
            bg_index=bg_index,
            contrast=dict(TINY_CONTRAST, bg_index=bg_index),
            **PARTS))
    parts = (model.pcm_head, model.loss_ecr, model.contrast)
    assert [part.bg_index for part in parts] == [bg_index] * 3
    assert model.loss_sal.layout.bg_index == bg_index


def test_a_part_with_another_background_channel_is_refused():
    with pytest.raises(ValueError, match="PCMHead: bg_index=-1 is not the "
                       "classifier's bg_index=0"):
        build(dict(type='SEAM', pcm_head=dict(TINY_PCM, bg_index=-1)))


@pytest.mark.parametrize('cfg,message', [
    (dict(type='CAM', test_cfg=dict(scale=(1.0, ))),
     "test_cfg.scale is not an option (did you mean 'scales'?)"),
    (dict(type='SEAM', pcm_head=TINY_PCM, test_cfg=dict(flips=False)),
     "test_cfg.flips is not an option (did you mean 'flip'?)"),
    (dict(type='EPS', train_cfg=dict(align_corner=False)),
     'train_cfg.align_corner is not an option (did you mean '
     "'align_corners'?)"),
    (dict(type='CAM', train_cfg=dict(align_corners=False)),
     'train_cfg.align_corners is not an option; the options are none.'),
])
def test_an_option_typo_is_refused(cfg, message):
    """A mistyped train_cfg / test_cfg key would otherwise leave the
    default in place in silence."""
    with pytest.raises(KeyError) as error:
        build(cfg)
    assert error.value.args[0].startswith(message)
