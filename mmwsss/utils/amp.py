"""bfloat16 autocast where the hardware runs it fast."""
import functools
import logging
from contextlib import contextmanager
from typing import Iterator

import torch
from mmengine.logging import print_log
from mmengine.runner.amp import autocast


@functools.lru_cache(maxsize=None)
def cpu_has_fast_bfloat16() -> bool:
    """Whether this CPU runs bfloat16 convolutions natively.

    oneDNN has bfloat16 kernels only for CPUs with AVX-512 (BF16) or AMX;
    elsewhere (AVX2 CPUs) torch falls back to reference kernels: a training
    step of the synthetic SEAM config takes about 16 times longer under
    bfloat16 autocast than in float32 there.

    Asked once per process: the optimizer wrapper enters the context at
    every step.

    Returns:
        bool: True where oneDNN reports bfloat16 support.
    """
    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


@contextmanager
def bfloat16_autocast(device_type: str,
                      enabled: bool = True) -> Iterator[None]:
    """bfloat16 autocast on ``device_type``, except on a CPU without fast
    bfloat16 (see :func:`cpu_has_fast_bfloat16`), where the context runs in
    float32 and says so once in the log.

    Args:
        device_type (str): ``'cpu'`` or ``'cuda'``.
        enabled (bool): Whether autocast is wanted. Defaults to True.
    """
    if enabled and device_type == 'cpu' and not cpu_has_fast_bfloat16():
        print_log(
            'bfloat16 autocast is off: this CPU has no native bfloat16 '
            '(AVX-512 BF16 or AMX), where float32 is faster',
            logger='current',
            level=logging.WARNING)  # mmengine logs a warning once
        enabled = False
    with autocast(
            device_type=device_type, dtype=torch.bfloat16, enabled=enabled):
        yield
