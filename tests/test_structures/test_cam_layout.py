import pytest
import torch

from mmwsss.structures import CAMLayout, required_bg_index


def _maps(bg_first: bool) -> tuple:
    """Maps whose channel c holds the value c, background first or last."""
    fg = torch.arange(1., 4.)[None, :, None, None].expand(2, 3, 2, 2)
    bg = torch.full((2, 1, 2, 2), -1.)
    return fg, bg, torch.cat([bg, fg] if bg_first else [fg, bg], 1)


@pytest.mark.parametrize('bg_index', (0, -1))
def test_split_and_join_round_trip(bg_index):
    fg, bg, maps = _maps(bg_first=bg_index == 0)
    layout = CAMLayout(bg_index)
    assert layout.has_background
    assert layout.background_channel(4) == (0 if bg_index == 0 else 3)
    assert torch.equal(layout.foreground(maps), fg)
    assert torch.equal(layout.background(maps), bg)
    assert torch.equal(layout.with_background(fg, bg), maps)
    # foreground and background are views of the maps
    assert layout.foreground(maps).data_ptr() in (maps.data_ptr(),
                                                  maps[:, 1].data_ptr())


@pytest.mark.parametrize('bg_index', (0, -1))
def test_labels_with_background(bg_index):
    labels = torch.tensor([[0., 1, 0], [1, 0, 1]])
    out = CAMLayout(bg_index).label_with_background(labels)
    expected = torch.tensor([[1., 0, 1, 0], [1, 1, 0, 1]]) if bg_index == 0 \
        else torch.tensor([[0., 1, 0, 1], [1, 0, 1, 1]])
    assert torch.equal(out, expected)


def test_other_channel_dimension():
    x = torch.arange(2 * 3 * 4.).view(2, 3, 4)  # channels along dim 2
    layout = CAMLayout(-1, dim=2)
    assert torch.equal(layout.foreground(x), x[:, :, :3])
    assert torch.equal(layout.background(x), x[:, :, 3:])
    # labels always have their classes along dim 1
    assert layout.label_with_background(torch.zeros(2, 3)).shape == (2, 4)


def test_no_background():
    layout = CAMLayout(None)
    x = torch.rand(1, 3, 2, 2)
    assert not layout.has_background
    assert layout.foreground(x) is x
    with pytest.raises(ValueError, match='no background channel'):
        layout.background(x)
    with pytest.raises(ValueError, match='no background channel'):
        layout.with_background(x, x[:, :1])


@pytest.mark.parametrize('bg_index', (1, 20, 'last'))
def test_bad_index(bg_index):
    with pytest.raises(ValueError, match='bg_index must be None, 0 or -1'):
        CAMLayout(bg_index)


def test_a_part_requires_a_background_channel():
    assert required_bg_index(-1, 'PCMHead') == -1
    with pytest.raises(ValueError, match='PCMHead needs bg_index'):
        required_bg_index(None, 'PCMHead')
    with pytest.raises(ValueError, match='bg_index must be None, 0 or -1'):
        required_bg_index(1, 'PCMHead')
