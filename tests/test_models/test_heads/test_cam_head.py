import torch

from mmwsss.models.heads import CAMHead


def test_bias_free_by_default_and_bias_on_request():
    torch.manual_seed(0)
    head = CAMHead(in_channels=4, num_channels=3)
    head.init_weights()
    assert head.conv.bias is None
    assert torch.equal(head(torch.zeros(2, 4, 5, 5)), torch.zeros(2, 3, 5, 5))
    head = CAMHead(in_channels=4, num_channels=3, bias=True)
    head.init_weights()
    with torch.no_grad():
        head.conv.bias.copy_(torch.tensor([1., -2., 3.]))
    x = torch.randn(2, 4, 5, 5)
    expected = torch.einsum('nchw,kc->nkhw', x, head.conv.weight[:, :, 0, 0])
    torch.testing.assert_close(head(x),
                               expected + head.conv.bias[:, None, None])
