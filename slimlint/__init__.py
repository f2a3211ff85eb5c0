"""slimlint: find and fix the batch-norm and train/eval-mode mistakes of TF-Slim / TF1 code."""

__version__ = "0.1.0"
