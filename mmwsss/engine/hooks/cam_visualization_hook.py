"""CAM overlays of a few evaluated images."""
from typing import Optional, Sequence

import mmcv
from mmengine.hooks import Hook

from mmwsss.registry import HOOKS
from mmwsss.visualization import cam_overlay


@HOOKS.register_module()
class CAMVisualizationHook(Hook):
    """Save CAM overlays of the first images of each evaluation.

    For the first ``num_images`` images of a validation or test run, the
    image and one heat-map overlay per labelled class are drawn side by side
    and passed to the runner's visualizer (``add_image``), which stores them
    under the work dir (``vis_data/vis_image`` with the local backend).

    Args:
        num_images (int): Images drawn per evaluation. Defaults to 8.
    """

    priority = 'LOW'

    def __init__(self, num_images: int = 8) -> None:
        self.num_images = num_images
        self._drawn = 0

    def before_val_epoch(self, runner) -> None:
        """Start counting the drawn images anew."""
        self._drawn = 0

    before_test_epoch = before_val_epoch

    def after_val_iter(self,
                       runner,
                       batch_idx: int,
                       data_batch: Optional[dict] = None,
                       outputs: Optional[Sequence] = None) -> None:
        """Draw the first images of the run."""
        classes = runner.visualizer.dataset_meta.get('classes') if \
            runner.visualizer.dataset_meta else None
        for sample in outputs or []:
            if self._drawn >= self.num_images or 'pred_cam' not in sample:
                return
            image = mmcv.imread(sample.img_path, channel_order='rgb')
            names = classes[1:] if classes else [
                str(i) for i in range(len(sample.gt_label))
            ]
            overlay = cam_overlay(image,
                                  sample.pred_cam.data.cpu().numpy(),
                                  sample.gt_label.cpu().numpy(), names)
            runner.visualizer.add_image(
                f'cam_{sample.img_id}', overlay, step=runner.iter)
            self._drawn += 1

    after_test_iter = after_val_iter
