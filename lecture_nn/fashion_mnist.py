"""Fashion-MNIST for the notebooks and instructors: :func:`load_fashion_mnist` and its result.

The loading itself (sources, checksums, cache) lives in :mod:`lecture_nn.datasets`; this
module is its public face, so ``from lecture_nn.fashion_mnist import load_fashion_mnist``
keeps working wherever the parts move.
"""

from lecture_nn.datasets.loader import (
    DataUnavailableError,
    FashionMNIST,
    SourceStatus,
    load_fashion_mnist,
    source_status,
)
from lecture_nn.datasets.official import CLASS_NAMES, OPENML_DATASET_ID

__all__ = [
    "CLASS_NAMES",
    "OPENML_DATASET_ID",
    "DataUnavailableError",
    "FashionMNIST",
    "SourceStatus",
    "load_fashion_mnist",
    "source_status",
]
