"""Data for every model: readers, the training pipeline, its checks, paired and unpaired images.

Imports run one way: ``validation`` <- ``readers`` <- ``pipeline`` <- ``pairs``; this package
gathers their public functions, and ``ganzoo.datasets`` is the same API under its user-facing
name (``ganzoo.datasets.load("digits")``).

- :mod:`ganzoo.data.readers`: the embedded digits, image folders, ``.npz``, tensorflow-datasets.
- :mod:`ganzoo.data.pipeline`: ``load``, ``from_arrays`` and ``fit``'s input pipeline.
- :mod:`ganzoo.data.validation`: value-range, label and shape checks; :class:`DataError`.
- :mod:`ganzoo.data.pairs`: pix2pix's paired and CycleGAN's unpaired data.
"""

from ganzoo.data.pairs import (digits_edges, digits_thickness, jitter, load_paired,
                               load_unpaired, prepare_pairs, read_pairs, read_unpaired)
from ganzoo.data.pipeline import (from_arrays, images_to_uint8, load, load_arrays,
                                  prepare_for_fit, to_float_images)
from ganzoo.data.readers import (load_digits, read_arrays, read_image, read_image_folder,
                                 read_images, read_npz, read_npz_arrays, shared_data_file,
                                 shrink_images)
from ganzoo.data.validation import (DataError, check_batches, check_channels_last, check_labels,
                                    check_shape, check_value_range, class_indices,
                                    data_error_from)

__all__ = [
    "DataError", "check_batches", "check_channels_last", "check_labels", "check_shape",
    "check_value_range", "class_indices", "data_error_from", "digits_edges", "digits_thickness",
    "from_arrays", "images_to_uint8", "jitter", "load", "load_arrays", "load_digits",
    "load_paired", "load_unpaired", "prepare_for_fit", "prepare_pairs", "read_arrays",
    "read_image", "read_image_folder", "read_images", "read_npz", "read_npz_arrays",
    "read_pairs", "read_unpaired", "shared_data_file", "shrink_images", "to_float_images",
]
