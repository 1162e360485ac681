"""Garment detection: SSD models, training, evaluation, colour naming and batched inference."""
