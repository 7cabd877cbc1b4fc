import pytest
import torch
import torch.nn.functional as F

from mmwsss.models.ppc import (BasePrototypeContrastLoss, prototype_nce,
                               prototype_similarity, two_view_similarity)


def _case():
    torch.manual_seed(0)
    feats = F.normalize(torch.randn(6, 4), dim=1)
    prototypes = F.normalize(torch.randn(5, 4), dim=1)
    pos_index = torch.tensor([0, 4, 2, 2, 1, 3])
    return feats, prototypes, pos_index


def test_prototype_nce_all_prototypes(naive_nce):
    feats, prototypes, pos_index = _case()
    loss = prototype_nce(
        prototype_similarity(feats, prototypes), pos_index, 0.1)
    assert loss.shape == (6, )
    for m in range(6):
        expected = naive_nce(feats[m], prototypes[pos_index[m]], prototypes,
                             0.1)
        assert loss[m].item() == pytest.approx(expected, rel=1e-5)


def test_prototype_nce_listed_negatives(naive_nce):
    feats, prototypes, pos_index = _case()
    # Pixel 0 lists its positive again, pixel 1 a negative twice.
    neg_index = torch.tensor([[0, 1], [2, 2], [0, 1], [3, 4], [0, 2], [1, 2]])
    loss = prototype_nce(
        prototype_similarity(feats, prototypes), pos_index, 0.5, neg_index)
    for m in range(6):
        denominator = [prototypes[pos_index[m]]]
        denominator += [prototypes[k] for k in neg_index[m]]
        expected = naive_nce(feats[m], prototypes[pos_index[m]], denominator,
                             0.5)
        assert loss[m].item() == pytest.approx(expected, rel=1e-5)


def test_prototype_nce_no_negative_is_zero():
    feats, prototypes, pos_index = _case()
    loss = prototype_nce(
        prototype_similarity(feats, prototypes), pos_index, 0.1,
        torch.zeros(6, 0, dtype=torch.long))
    assert torch.equal(loss, torch.zeros(6))


def test_prototype_nce_stable_with_tiny_temperature():
    feats, prototypes, pos_index = _case()
    similarity = prototype_similarity(feats, prototypes).requires_grad_()
    # exp(1 / 1e-3) overflows float32: the log-sum-exp form does not.
    loss = prototype_nce(similarity, pos_index, 1e-3)
    loss.sum().backward()
    assert torch.isfinite(loss).all() and (loss >= 0).all()
    assert torch.isfinite(similarity.grad).all()


@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
def test_prototype_similarity_float32_under_autocast(dtype):
    feats, prototypes, _ = _case()
    with torch.autocast('cpu', dtype=dtype):
        similarity = prototype_similarity(feats.to(dtype), prototypes)
    assert similarity.dtype == torch.float32
    expected = feats.to(dtype).float() @ prototypes.t()
    torch.testing.assert_close(similarity, expected)


def test_two_view_similarity_blocks():
    feats, prototypes, _ = _case()
    views = torch.stack([feats, -feats])  # (2, 6, 4)
    protos = torch.stack([prototypes, prototypes.flip(0)])  # (2, 5, 4)
    similarity = two_view_similarity(views, protos)
    assert similarity.shape == (2, 2, 6, 5)
    for view in (0, 1):
        for proto_view in (0, 1):
            torch.testing.assert_close(
                similarity[view, proto_view],
                views[view] @ protos[proto_view].t())
    with pytest.raises(ValueError, match='Two views'):
        two_view_similarity(feats, prototypes)


class _OwnPrototypes(BasePrototypeContrastLoss):

    def contrast(self, similarity, labels):
        own = similarity[[0, 1], [0, 1]]
        return prototype_nce(own, labels).mean()


def test_base_loss_averages_views_and_weights():
    feats, prototypes, pos_index = _case()
    loss = _OwnPrototypes(0.3, 0.1, 'loss_own')
    assert loss.loss_name == 'loss_own'
    view0 = prototype_nce(prototype_similarity(feats, prototypes),
                          pos_index).mean()
    view1 = prototype_nce(prototype_similarity(-feats, prototypes),
                          pos_index).mean()
    value = loss(
        two_view_similarity(
            torch.stack([feats, -feats]), torch.stack([prototypes] * 2)),
        torch.stack([pos_index, pos_index]))
    assert value.item() == pytest.approx(0.3 * (view0 + view1).item() / 2)


def test_base_loss_checks():
    with pytest.raises(ValueError, match='loss_'):
        _OwnPrototypes(0.1, 0.1, 'own')
    feats, prototypes, pos_index = _case()
    similarity = two_view_similarity(
        torch.stack([feats, feats]), torch.stack([prototypes] * 2))
    with pytest.raises(ValueError, match='two views'):
        _OwnPrototypes(0.1, 0.1, 'loss_own')(similarity[:1], pos_index[None])
    with pytest.raises(ValueError, match='two views'):
        _OwnPrototypes(0.1, 0.1, 'loss_own')(similarity, pos_index[None])
