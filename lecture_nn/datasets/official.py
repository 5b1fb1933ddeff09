"""The official Fashion-MNIST release: class names, file names, checksums, shapes, OpenML id.

Xiao, Rasul & Vollgraf (2017), arXiv:1708.07747, and github.com/zalandoresearch/fashion-mnist;
the loader and the OpenML source both check their arrays against these.
"""

__all__ = ["CLASS_NAMES", "N_TEST", "N_TRAIN", "OFFICIAL_FILES", "OPENML_DATASET_ID"]

#: The ten classes, in label order 0-9.
CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

OPENML_DATASET_ID = 40996

#: Array name -> (IDX file name without .gz, SHA-256 of the decompressed file, shape).
OFFICIAL_FILES = {
    "x_train": (
        "train-images-idx3-ubyte",
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        (60_000, 28, 28),
    ),
    "y_train": (
        "train-labels-idx1-ubyte",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        (60_000,),
    ),
    "x_test": (
        "t10k-images-idx3-ubyte",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        (10_000, 28, 28),
    ),
    "y_test": (
        "t10k-labels-idx1-ubyte",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        (10_000,),
    ),
}

#: Images in the official training and test splits.
N_TRAIN, N_TEST = OFFICIAL_FILES["x_train"][2][0], OFFICIAL_FILES["x_test"][2][0]
