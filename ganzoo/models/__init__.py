"""The variants. Importing this package registers every shipped model."""

from ganzoo.models.base import GAN, make_optimizer
from ganzoo.models.cgan import ConditionalGAN
from ganzoo.models.cyclegan import CycleGAN
from ganzoo.models.dcgan import DCGAN
from ganzoo.models.pix2pix import Pix2Pix
from ganzoo.models.vanilla import VanillaGAN
from ganzoo.models.wgan import WGAN, WGANGP

__all__ = ["GAN", "DCGAN", "VanillaGAN", "ConditionalGAN", "WGAN", "WGANGP", "Pix2Pix",
           "CycleGAN", "make_optimizer"]
