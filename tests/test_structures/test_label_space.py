import numpy as np
import pytest
import torch

from mmwsss.structures import (argmax_background, labels_from_index,
                               stack_background)


def test_argmax_ties_go_to_the_lowest_index():
    cam = torch.tensor([[[0.5, 0.2, 0.1]], [[0.5, 0.1, 0.3]]])
    # pixel 0: classes 1 and 2 tie -> 1; pixel 1: equal to the background
    # score -> background; pixel 2: class 2
    assert argmax_background(cam, 0.2).tolist() == [[1, 0, 2]]


@pytest.mark.parametrize('shape', [(3, 5, 6), (2, 3, 5, 6)])
def test_argmax_is_np_argmax_of_the_stack(shape):
    # quantised scores: ties between classes and with the background
    scores = np.round(np.random.RandomState(0).rand(*shape) * 4) / 4
    scores = scores.astype(np.float32)
    stack = stack_background(scores, 0.25)
    assert stack.dtype == np.float32 and stack.shape[-3] == shape[-3] + 1
    expected = stack.argmax(axis=-3)
    result = argmax_background(torch.from_numpy(scores), 0.25)
    assert np.array_equal(result.numpy(), expected)


def test_stack_of_a_constant_and_of_a_map():
    scores = torch.arange(6.).view(2, 1, 3)
    stack = stack_background(scores, 0.5)
    assert stack.dtype == scores.dtype
    assert stack.tolist() == [[[0.5] * 3], [[0., 1., 2.]], [[3., 4., 5.]]]
    bg = torch.full((1, 1, 3), 7.)
    assert stack_background(scores, bg)[0].tolist() == [[7.] * 3]
    # no class scored: the background alone
    assert stack_background(scores[:0], 0.5).tolist() == [[[0.5] * 3]]
    as_array = stack_background(scores.numpy(), bg.numpy())
    assert isinstance(as_array, np.ndarray)
    assert np.array_equal(as_array, stack_background(scores, bg).numpy())


def test_labels_of_the_labelled_classes():
    present = torch.tensor([2, 5])  # the stack scores classes 2 and 5
    index = torch.tensor([[0, 1, 2], [2, 1, 0]])
    expected = [[0, 3, 6], [6, 3, 0]]
    assert labels_from_index(index, present).tolist() == expected
    assert labels_from_index(index.numpy(),
                             present.numpy()).tolist() == expected
    # every class scored: the index is the label
    assert labels_from_index(index) is index
