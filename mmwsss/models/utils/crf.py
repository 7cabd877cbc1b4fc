"""Dense CRF refinement of CAM seeds (optional: needs ``pydensecrf2``)."""
import numpy as np


def dense_crf(image: np.ndarray,
              probs: np.ndarray,
              iterations: int = 10,
              gaussian_sxy: float = 3.,
              gaussian_compat: float = 3.,
              bilateral_sxy: float = 80.,
              bilateral_srgb: float = 13.,
              bilateral_compat: float = 10.) -> np.ndarray:
    """Refine class probabilities with a fully connected CRF.

    The WSSS convention (PSA, SEAM, PPC): unary = -log(probs), a Gaussian
    smoothness kernel and a bilateral appearance kernel.

    Args:
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB image.
        probs (np.ndarray): ``(K, H, W)`` class probabilities (rows sum to 1).
        iterations (int): Mean-field iterations. Defaults to 10.
        gaussian_sxy (float): Gaussian kernel width. Defaults to 3.
        gaussian_compat (float): Gaussian kernel weight. Defaults to 3.
        bilateral_sxy (float): Bilateral spatial width. Defaults to 80.
        bilateral_srgb (float): Bilateral colour width. Defaults to 13.
        bilateral_compat (float): Bilateral kernel weight. Defaults to 10.

    Returns:
        np.ndarray: ``(K, H, W)`` refined probabilities.

    Raises:
        ImportError: If ``pydensecrf2`` is not installed.
    """
    try:
        import pydensecrf.densecrf as dcrf
        from pydensecrf.utils import unary_from_softmax
    except ImportError as e:
        raise ImportError('Dense CRF needs the optional package pydensecrf2: '
                          'pip install -r requirements/optional.txt') from e
    num_labels, h, w = probs.shape
    crf = dcrf.DenseCRF2D(w, h, num_labels)
    crf.setUnaryEnergy(
        np.ascontiguousarray(unary_from_softmax(probs.astype(np.float32))))
    crf.addPairwiseGaussian(sxy=gaussian_sxy, compat=gaussian_compat)
    crf.addPairwiseBilateral(
        sxy=bilateral_sxy,
        srgb=bilateral_srgb,
        rgbim=np.ascontiguousarray(image),
        compat=bilateral_compat)
    return np.array(crf.inference(iterations)).reshape(num_labels, h, w)
