"""Keep the CAMs a test run infers, for the steps that need them again."""
from typing import Any, Dict, Optional, Sequence

from mmengine.hooks import Hook

from mmwsss.registry import HOOKS
from mmwsss.structures import WSSSDataSample
from ..cam_cache import CAMCache


@HOOKS.register_module()
class CAMCacheHook(Hook):
    """Write the CAMs of every image a test run infers into a
    :class:`~mmwsss.engine.cam_cache.CAMCache`.

    The seed evaluation uses it so that the pseudo masks of the same images
    need no second inference.

    Args:
        cache_dir (str): The cache folder.
        manifest (dict): What makes the CAMs (checkpoint and model config
            digests); a folder made by other inputs is emptied first.
    """

    def __init__(self, cache_dir: str, manifest: Dict[str, Any]) -> None:
        self.cache = CAMCache(cache_dir)
        self.manifest = manifest

    def before_test(self, runner) -> None:
        """Claim the cache folder for this run's inputs."""
        self.cache.claim(self.manifest)

    def after_test_iter(self,
                        runner,
                        batch_idx: int,
                        data_batch: Optional[dict] = None,
                        outputs: Optional[Sequence[WSSSDataSample]] = None
                        ) -> None:
        """Write the CAMs of the batch's samples."""
        for sample in outputs or ():
            self.cache.save(sample)
