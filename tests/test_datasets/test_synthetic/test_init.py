"""The synthetic benchmark: the writers it exports, and the registries never
loading it."""
import subprocess
import sys

import mmwsss.datasets.synthetic as synthetic
from mmwsss.datasets.synthetic.coco import write_synthetic_coco
from mmwsss.datasets.synthetic.voc import write_synthetic_voc


def test_exports_the_writers():
    assert synthetic.__all__ == ['write_synthetic_coco', 'write_synthetic_voc']
    assert synthetic.write_synthetic_coco is write_synthetic_coco
    assert synthetic.write_synthetic_voc is write_synthetic_voc


def test_registries_do_not_load_the_scenes():
    code = ('import sys; from mmwsss.utils import register_all_modules; '
            'register_all_modules(); '
            'print(sorted(m for m in sys.modules '
            "if m.startswith('mmwsss.datasets.synthetic')))")
    out = subprocess.run([sys.executable, '-c', code],
                         capture_output=True,
                         text=True,
                         check=True).stdout
    assert out.splitlines()[-1] == '[]'
