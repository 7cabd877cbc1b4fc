"""Pictures of CAMs: heat-map overlays per class."""
from typing import Sequence

import cv2
import numpy as np


def heat_overlay(image: np.ndarray,
                 heat: np.ndarray,
                 alpha: float = 0.5) -> np.ndarray:
    """A heat map (jet colours) blended over an image.

    Args:
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB image.
        heat (np.ndarray): ``(H, W)`` values in [0, 1] (clipped).
        alpha (float): Weight of the heat map. Defaults to 0.5.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 RGB.
    """
    colours = cv2.applyColorMap(
        np.uint8(np.clip(heat, 0, 1) * 255), cv2.COLORMAP_JET)
    colours = cv2.cvtColor(colours, cv2.COLOR_BGR2RGB)
    return np.uint8((1 - alpha) * image + alpha * colours)


def cam_overlay(image: np.ndarray,
                cam: np.ndarray,
                label: np.ndarray,
                class_names: Sequence[str],
                alpha: float = 0.5) -> np.ndarray:
    """Side-by-side overlays of the CAM of each labelled class.

    Args:
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB image.
        cam (np.ndarray): ``(C, H, W)`` CAMs in [0, 1].
        label (np.ndarray): ``(C,)`` multi-hot image label.
        class_names (Sequence[str]): Names of the C foreground classes.
        alpha (float): Weight of the heat map. Defaults to 0.5.

    Returns:
        np.ndarray: ``(H, W * (1 + K), 3)`` uint8 RGB: the image, then one
        overlay per labelled class, named in its corner.
    """
    panels = [image]
    for index in np.flatnonzero(label):
        panel = heat_overlay(image, cam[index], alpha)
        cv2.putText(panel, class_names[index], (2, 12),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 255), 1,
                    cv2.LINE_AA)
        panels.append(panel)
    return np.concatenate(panels, axis=1)
