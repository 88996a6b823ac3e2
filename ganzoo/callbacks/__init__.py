"""Keras callbacks for a GAN run, one module per job.

- :mod:`ganzoo.callbacks.grids`: :class:`SampleGrid` (PNG grids from fixed noise).
- :mod:`ganzoo.callbacks.monitoring`: :class:`LossCurves`, :class:`InceptionScore`, :class:`FID`
  (and their TensorBoard scalars).
- :mod:`ganzoo.callbacks.guard`: :class:`DivergenceGuard`.
- :mod:`ganzoo.callbacks.schedules`: :class:`LinearDecay`.
- :mod:`ganzoo.callbacks.checkpoint`: :class:`Checkpoint`.
- :mod:`ganzoo.callbacks.clock`: :class:`TrainingClock` (training time across resumed pieces),
  :class:`TimeBudget`.

Drawing (grids, curves) is :mod:`ganzoo.images`; the numbers are :mod:`ganzoo.metrics`.
"""

from ganzoo.callbacks.checkpoint import LATEST_CHECKPOINT, PREVIOUS_CHECKPOINT, Checkpoint
from ganzoo.callbacks.clock import TimeBudget, TrainingClock
from ganzoo.callbacks.grids import SampleGrid, sample_layout
from ganzoo.callbacks.guard import DivergenceGuard, is_finite_state, training_state
from ganzoo.callbacks.monitoring import FID, InceptionScore, LossCurves
from ganzoo.callbacks.schedules import LinearDecay

__all__ = ["FID", "LATEST_CHECKPOINT", "PREVIOUS_CHECKPOINT", "Checkpoint", "DivergenceGuard",
           "InceptionScore", "LinearDecay", "LossCurves", "SampleGrid", "is_finite_state",
           "sample_layout", "training_state", "TimeBudget", "TrainingClock"]
