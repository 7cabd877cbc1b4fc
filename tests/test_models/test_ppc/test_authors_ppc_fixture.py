"""PPC against the authors' code: the golden values of
``tests/data/authors/ppc_loss.pt`` (its ``about`` field says how they were
computed; tests/data/authors/README.md). Six cases: SEAM + PPC and EPS +
PPC, each with dense CAMs, CAMs with all-zero channels and a class with a
single pixel."""
import math
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from torch import nn

from mmwsss.models.ppc import pseudo_labels_and_prototypes
from mmwsss.registry import MODELS
from mmwsss.utils import register_all_modules

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(__file__))))
FIXTURE = osp.join(ROOT, 'tests', 'data', 'authors', 'ppc_loss.pt')
#: Where the project's maintainers keep the original of the fixture; a user's
#: clone has no such folder
SHARED = osp.join(ROOT, '..', 'shared', 'fixtures', 'authors_ppc_loss.pt')
CASES = torch.load(FIXTURE, weights_only=True)['cases']
IDS = [f"{case['variant']}-{case['scenario']}" for case in CASES]
GRID = (16, 16)  # view 2's feature grid: 128 px at stride 8


@pytest.mark.skipif(
    not osp.isfile(SHARED), reason='no shared fixtures beside the clone')
def test_fixture_equals_the_shared_original():
    def equal(a, b) -> bool:
        if isinstance(a, dict):
            return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
        if isinstance(a, list):
            return len(a) == len(b) and all(map(equal, a, b))
        if isinstance(a, torch.Tensor):
            return a.dtype == b.dtype and torch.equal(a, b)
        return a == b

    assert equal(
        torch.load(FIXTURE, weights_only=True),
        torch.load(SHARED, weights_only=True))


def _contrast(case: dict, **overrides) -> nn.Module:
    """The shipped PPC config of the case's variant, as its classifier
    builds it, with an identity projection (the fixture holds projected
    features)."""
    register_all_modules()
    leaf = ('ppc-seam_r38d_1xb8-8e_voc12aug-448x448.py' if case['variant']
            == 'seam' else 'ppc-eps_r38d_1xb8-20k_voc12aug-448x448.py')
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'ppc', leaf))
    contrast = MODELS.build({
        **cfg.model.contrast,
        'bg_index': _bg_index(case),
        **overrides
    })
    contrast.projection = nn.Identity()
    return contrast


def _resize(x: torch.Tensor) -> torch.Tensor:
    """The authors' resize of view 1's maps onto view 2's grid."""
    return F.interpolate(x, GRID, mode='bilinear', align_corners=True)


def _bg_index(case: dict) -> int:
    return 0 if case['variant'] == 'seam' else -1


def _assert_close(actual: torch.Tensor, expected: torch.Tensor) -> None:
    """Equal to 1e-5 relative to the largest magnitude of ``expected``."""
    scale = expected.abs().max().item()
    torch.testing.assert_close(
        actual, expected, rtol=1e-5, atol=1e-5 * scale)


def _losses(case: dict, **overrides):
    contrast = _contrast(case, **overrides)
    f1 = case['f1'].clone().requires_grad_()
    f2 = case['f2'].clone().requires_grad_()
    losses = contrast.loss((f1, f2), (case['cam1'], case['cam2']),
                           case['labels'], _resize)
    return losses, f1, f2


@pytest.mark.parametrize('case', CASES, ids=IDS)
def test_cross_view_terms_and_gradients_equal_authors(case):
    # On CPU the authors' torch.topk takes other tied positions than the
    # lowest ones at these shapes (64 * K > N * h * w): ties='torch'.
    losses, f1, f2 = _losses(case, topk_ties='torch')
    for name, key in (('loss_cross_proto', 'cross_prototype'),
                      ('loss_cross_label', 'cross_pseudo_label')):
        _assert_close(losses[name].detach(), case[key])
        grad1, grad2 = torch.autograd.grad(
            losses[name], (f1, f2), retain_graph=True)
        _assert_close(grad1, case[f'grad_{key}_f1'])
        _assert_close(grad2, case[f'grad_{key}_f2'])


@pytest.mark.parametrize('case', CASES, ids=IDS)
@pytest.mark.parametrize('view', (1, 2))
def test_prototypes_and_pseudo_labels_equal_authors(case, view):
    contrast = _contrast(case)
    feats, cam = case[f'f{view}'], case[f'cam{view}']
    if view == 1:
        feats, cam = _resize(feats), _resize(cam)
    result = pseudo_labels_and_prototypes(cam, feats, case['labels'],
                                          _bg_index(case),
                                          contrast.pseudo_label_bg_score,
                                          contrast.topk_divisor, None,
                                          'torch')
    assert torch.equal(result.pseudo_labels.flatten(),
                       case[f'pseudo_label{view}'])
    _assert_close(result.prototypes, case[f'prototypes{view}'])


@pytest.mark.parametrize('case', CASES, ids=IDS)
def test_lowest_index_ties_differ_only_in_tied_prototypes(case):
    """The default tie order: the constant channels (the background, and a
    class whose CAM is 0 over the whole batch) take the first K positions,
    so their prototype is the plain mean of those features; every other
    prototype is the authors'."""
    contrast = _contrast(case)
    feats, cam = case['f2'], case['cam2']
    result = pseudo_labels_and_prototypes(cam, feats, case['labels'],
                                          _bg_index(case),
                                          contrast.pseudo_label_bg_score,
                                          contrast.topk_divisor)
    num_channels = cam.shape[1]
    constant = cam.relu().amax((0, 2, 3)) == 0
    constant[_bg_index(case) % num_channels] = True
    _assert_close(result.prototypes[~constant],
                  case['prototypes2'][~constant])
    k = GRID[0] * GRID[1] // contrast.topk_divisor
    first = feats.permute(0, 2, 3, 1).flatten(0, 2)[:k].mean(0)
    expected = F.normalize(first, dim=0).expand(int(constant.sum()), -1)
    _assert_close(result.prototypes[constant], expected)
    assert torch.equal(result.pseudo_labels.flatten(), case['pseudo_label2'])


@pytest.mark.parametrize('case', CASES, ids=IDS)
def test_intra_view_expectation_equals_authors(case):
    """The intra-view term is random (the random half of the hard pixel
    sampling): its mean over draws must lie within 3 standard errors of the
    authors' mean."""
    contrast = _contrast(case, topk_ties='torch')
    similarity, labels = contrast.contrast_inputs(
        (_resize(case['f1']), case['f2']),
        (_resize(case['cam1']), case['cam2']), case['labels'])
    intra = next(loss for loss in contrast.losses
                 if loss.loss_name == 'loss_intra')
    draws = 400
    torch.manual_seed(0)
    values = torch.stack([intra(similarity, labels)
                          for _ in range(draws)]).double()
    error = math.sqrt(case['intra_sd']**2 / case['draws'] +
                      values.var().item() / draws)
    assert abs(values.mean().item() - case['intra_mean']) < 3 * error
