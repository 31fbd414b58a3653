"""Reusable components for infrastructure repos."""

from .trained_model import TrainedModel, TrainedModelArgs

__all__ = ["TrainedModel", "TrainedModelArgs"]
