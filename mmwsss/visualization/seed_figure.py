"""A picture of what each stage makes of a few images."""
from typing import Sequence

import numpy as np

from .cam_overlay import heat_overlay


def label_colours(mask: np.ndarray,
                  palette: Sequence[Sequence[int]]) -> np.ndarray:
    """``(H, W, 3)`` uint8 RGB of a label map: the palette's colour of each
    class, white where the label has no colour (255, ignored)."""
    table = np.full((256, 3), 255, np.uint8)
    table[:len(palette)] = np.asarray(palette, np.uint8)
    return table[mask]


def seed_figure(images: Sequence[np.ndarray], cams: Sequence[np.ndarray],
                masks: Sequence[np.ndarray], gts: Sequence[np.ndarray],
                palette: Sequence[Sequence[int]]) -> np.ndarray:
    """One row per image: image | CAM | pseudo mask | ground truth.

    Args:
        images (Sequence[np.ndarray]): ``(H, W, 3)`` uint8 RGB images.
        cams (Sequence[np.ndarray]): ``(H, W)`` CAM of each image in
            [0, 1] (e.g. the maximum over its labelled classes), drawn as a
            heat map over the image.
        masks (Sequence[np.ndarray]): ``(H, W)`` pseudo masks (class
            indices).
        gts (Sequence[np.ndarray]): ``(H, W)`` ground truth (class indices,
            255 ignored).
        palette (Sequence[Sequence[int]]): RGB colour of each class.

    Returns:
        np.ndarray: uint8 RGB; rows of different heights are padded with
        white on the right to the widest row.
    """
    rows = []
    for image, cam, mask, gt in zip(images, cams, masks, gts):
        panels = [
            image,
            heat_overlay(image, cam),
            label_colours(mask, palette),
            label_colours(gt, palette)
        ]
        rows.append(
            np.concatenate([
                np.pad(p, ((0, 2), (0, 2), (0, 0)), constant_values=255)
                for p in panels
            ], axis=1))
    width = max(row.shape[1] for row in rows)
    return np.concatenate([
        np.pad(row, ((0, 0), (0, width - row.shape[1]), (0, 0)),
               constant_values=255) for row in rows
    ])
