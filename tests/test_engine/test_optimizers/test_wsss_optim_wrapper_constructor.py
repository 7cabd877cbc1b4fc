import torch.nn as nn

from mmwsss.registry import OPTIM_WRAPPER_CONSTRUCTORS


class Net(nn.Module):

    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(3, 4, 3, bias=True), nn.BatchNorm2d(4),
            nn.Conv2d(4, 4, 1, bias=False))
        self.backbone[2].weight.requires_grad = False  # a frozen layer
        self.cam_head = nn.Conv2d(4, 2, 1, bias=True)


def test_authors_four_groups():
    model = Net()
    constructor = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='WSSSOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                type='OptimWrapper',
                optimizer=dict(type='SGD', lr=0.01, weight_decay=5e-4)),
            paramwise_cfg=dict(
                bias_lr_mult=2.,
                bias_decay_mult=0.,
                custom_keys={'cam_head': dict(lr_mult=10.)})))
    optimizer = constructor(model).optimizer
    groups = {id(g['params'][0]): g for g in optimizer.param_groups}

    def get(param):
        g = groups[id(param)]
        return round(g['lr'], 6), round(g['weight_decay'], 8)

    assert get(model.backbone[0].weight) == (0.01, 5e-4)
    assert get(model.backbone[0].bias) == (0.02, 0.)
    assert get(model.cam_head.weight) == (0.1, 5e-4)
    assert get(model.cam_head.bias) == (0.2, 0.)  # x10 x2, not x10
    # BN keeps mmengine's rules: no bias lr multiplier, bias decay 0
    assert get(model.backbone[1].bias) == (0.01, 0.)
    assert id(model.backbone[2].weight) not in groups  # frozen: left out
