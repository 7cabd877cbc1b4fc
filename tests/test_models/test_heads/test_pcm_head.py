import os.path as osp

import pytest
import torch
import torch.nn.functional as F

from mmwsss.models.heads import PCMHead, pcm_input

AUTHORS = torch.load(
    osp.join(
        osp.dirname(osp.dirname(osp.dirname(__file__))), 'data',
        'authors_seam_losses.pt'),
    weights_only=True)


def test_pcm_input_normalises_and_fills_background():
    cam = torch.tensor([[[[9., 9.]], [[2., -1.]], [[1., 4.]]]])  # bg, a, b
    out = pcm_input(cam, bg_index=0)
    a = torch.tensor([2., 0.]) / (2 + 1e-5)  # a max 2; relu(-1)=0
    b = torch.tensor([1., 4.]) / (4 + 1e-5)
    fg_max = torch.maximum(a, b)
    assert torch.allclose(out[0, 0, 0], 1 - fg_max, atol=1e-4)
    # non-maximal foreground values are zeroed
    assert torch.allclose(out[0, 1, 0], torch.tensor([a[0], 0.]), atol=1e-4)
    assert torch.allclose(out[0, 2, 0], torch.tensor([0., b[1]]), atol=1e-4)
    last = pcm_input(cam[:, [1, 2, 0]], bg_index=-1)
    assert torch.allclose(last, out[:, [1, 2, 0]])


def _head_inputs(requires_grad=False):
    torch.manual_seed(0)
    cam = torch.randn(2, 4, 5, 6, requires_grad=requires_grad)
    feats = [
        torch.randn(2, 8, 5, 6, requires_grad=requires_grad),
        torch.randn(2, 12, 5, 6, requires_grad=requires_grad)
    ]
    img = torch.randn(2, 3, 40, 48)
    return cam, feats, img


def test_affinity_columns_sum_to_one():
    head = PCMHead(
        in_channels=(8, 12), channels=(4, 6), out_channels=10, bg_index=0)
    head.init_weights()
    _, feats, img = _head_inputs()
    aff = head.affinity(feats, img)
    assert aff.shape == (2, 30, 30)
    assert (aff >= 0).all()
    assert torch.allclose(aff.sum(dim=1), torch.ones(2, 30), atol=1e-4)


def test_refined_cam_is_cam_times_affinity_without_grad_to_cam():
    head = PCMHead(
        in_channels=(8, 12), channels=(4, 6), out_channels=10, bg_index=0)
    head.init_weights()
    cam, feats, img = _head_inputs(requires_grad=True)
    out = head(cam, feats, img)
    expected = pcm_input(cam, 0).flatten(2) @ head.affinity(feats, img)
    assert torch.allclose(out, expected.view_as(out), atol=1e-5)
    out.sum().backward()
    assert cam.grad is None  # the CAM PCM refines is detached
    assert all(f.grad is None for f in feats)  # so are backbone features
    assert head.embed.weight.grad.abs().sum() > 0


def test_mismatched_channels_are_refused():
    with pytest.raises(ValueError, match='same length'):
        PCMHead(in_channels=(8, 12), channels=(4, ), bg_index=0)


def test_background_channel_is_required():
    with pytest.raises(ValueError, match='PCMHead needs bg_index'):
        PCMHead()
    with pytest.raises(ValueError, match='bg_index must be None, 0 or -1'):
        PCMHead(bg_index=1)


@pytest.mark.parametrize('case', sorted(AUTHORS['cases']))
@pytest.mark.parametrize('view', (1, 2))
def test_refined_cam_equals_authors(case, view):
    """The authors' PCM (SEAM, SEAM + PPC and EPS + PPC, background last)
    on the same CAM, features, image and weights."""
    inputs, expected = AUTHORS['inputs'], AUTHORS['cases'][case]
    weights = inputs['weights']
    head = PCMHead(
        in_channels=(4, 8),
        channels=(2, 4),
        out_channels=6,
        bg_index=expected['bg_index'])
    for conv, name in zip((*head.reduce, head.embed), ('f8_3', 'f8_4', 'f9')):
        conv.weight.data.copy_(weights[name])
    img = inputs['img1'].float()
    maps = inputs['view1']
    if view == 2:  # the authors' view 2: view 1 resized
        img = F.interpolate(
            img, expected['view2_size'], mode='bilinear', align_corners=True)
        maps = inputs[expected['view2']]
    with torch.no_grad():
        out = head(maps['conv6'], [maps['conv4'], maps['conv5']], img)
    scale = expected[f'cam_rv{view}'].abs().max().item()
    torch.testing.assert_close(
        out, expected[f'cam_rv{view}'], rtol=1e-5, atol=1e-5 * scale)
