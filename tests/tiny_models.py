"""The tests' tiny networks: the shipped benchmark-v2 configs with a ResNet-18
of 8 base channels, dilated to output stride 8 and trained from scratch, in
place of EfficientNet-Lite0, so that a stage trains in seconds on a CPU."""
from typing import Dict, List, Optional

#: Its three outputs have 16, 32 and 64 channels, all at stride 8.
TINY_BACKBONE = dict(
    _delete_=True,
    type='ResNet',
    depth=18,
    base_channels=8,
    num_stages=4,
    out_indices=(1, 2, 3),
    strides=(1, 2, 1, 1),
    dilations=(1, 1, 2, 4),
    norm_cfg=dict(type='BN', requires_grad=True),
    style='pytorch',
    contract_dilation=True)

#: The heads' input channels on it, for each kind of shipped model.
HEADS = dict(
    cam={'model.cam_head.in_channels': 64},
    seam={
        'model.cam_head.in_channels': 64,
        'model.pcm_head.in_channels': (16, 32)
    },
    affinity={'model.aff_head.in_channels': (16, 32, 64)},
    seg={
        'model.backbone.out_indices': (3, ),
        'model.decode_head.in_channels': 64
    })

#: A narrower AffinityNet head, for the tests that train one.
TINY_AFFINITY_HEAD = dict(channels=(4, 8, 8), out_channels=20)


def flat_keys(prefix: str, value) -> Dict[str, object]:
    """Dotted keys of a nested dict."""
    if not isinstance(value, dict):
        return {prefix: value}
    flat = {}
    for key, item in value.items():
        flat.update(flat_keys(f'{prefix}.{key}', item))
    return flat


def tiny_options(kind: str, extra: Optional[dict] = None) -> Dict[str, object]:
    """``Config.merge_from_dict`` keys that put the tiny backbone into a
    shipped benchmark-v2 config.

    Args:
        kind (str): ``'cam'`` (CAM, EPS), ``'seam'`` (SEAM, SEAM + PPC,
            EPS + PPC), ``'affinity'`` or ``'seg'`` (DeepLab-LargeFOV).
        extra (dict, optional): More keys, applied last.
    """
    return {
        **flat_keys('model.backbone', TINY_BACKBONE),
        **HEADS[kind],
        **(extra or {})
    }


def tiny_args(kind: str, extra: Optional[dict] = None) -> List[str]:
    """:func:`tiny_options` as ``--cfg-options`` arguments of a tool."""
    return [
        f"{key}={str(value).replace(' ', '')}"
        for key, value in tiny_options(kind, extra).items()
    ]
