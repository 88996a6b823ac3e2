"""The variants. Importing this package registers every shipped model."""

from ganzoo.models.base import GAN, make_optimizer
from ganzoo.models.dcgan import DCGAN

__all__ = ["GAN", "DCGAN", "make_optimizer"]
