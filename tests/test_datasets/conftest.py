"""A tiny synthetic dataset in the COCO layout, generated once per session."""
import pytest
from coco_helpers import TINY_COCO

from mmwsss.datasets.synthetic import write_synthetic_coco


@pytest.fixture(scope='session')
def tiny_coco(tmp_path_factory) -> str:
    """The folder of the tiny COCO-layout dataset (see ``TINY_COCO``)."""
    root = tmp_path_factory.mktemp('tiny_coco')
    write_synthetic_coco(str(root), **TINY_COCO)
    return str(root)
