import numpy as np

from mmwsss.visualization import label_colours, seed_figure

PALETTE = [[0, 0, 0], [128, 0, 0], [0, 128, 0]]


def test_label_colours_palette_and_ignored_white():
    mask = np.array([[0, 1], [2, 255]], np.uint8)
    colours = label_colours(mask, PALETTE)
    assert colours.shape == (2, 2, 3) and colours.dtype == np.uint8
    assert colours[0, 1].tolist() == [128, 0, 0]
    assert colours[1, 0].tolist() == [0, 128, 0]
    assert colours[1, 1].tolist() == [255, 255, 255]


def test_one_row_per_image_four_panels():
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 255, (4, 6, 3), np.uint8),
              rng.integers(0, 255, (5, 3, 3), np.uint8)]
    cams = [np.ones((4, 6)), np.zeros((5, 3))]
    masks = [np.ones((4, 6), np.uint8), np.full((5, 3), 2, np.uint8)]
    gts = [np.zeros((4, 6), np.uint8), np.full((5, 3), 255, np.uint8)]
    figure = seed_figure(images, cams, masks, gts, PALETTE)
    # panels padded by 2 px; the narrower row is padded to the widest
    assert figure.shape == (4 + 2 + 5 + 2, 4 * (6 + 2), 3)
    assert (figure[:4, :6] == images[0]).all()
    assert (figure[:4, 2 * 8:2 * 8 + 6] == [128, 0, 0]).all()  # mask 1
    assert (figure[:4, 3 * 8:3 * 8 + 6] == [0, 0, 0]).all()  # gt 0
    assert (figure[6:11, 2 * 5:2 * 5 + 3] == [0, 128, 0]).all()  # mask 2
    assert (figure[6:11, 3 * 5:3 * 5 + 3] == 255).all()  # ignored
    assert (figure[6:, 4 * 5:] == 255).all()  # padding of the short row
