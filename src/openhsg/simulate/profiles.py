"""Realism profiles: how hard the simulated images are."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RealismProfile:
    """How hard the images are: dose, blur, contrast density, pose and clutter."""

    name: str
    photons: tuple[float, float]  # photons per pixel-area of 0.1 mm^2 before attenuation
    blur_mm: tuple[float, float]
    contrast_mu: tuple[float, float]  # attenuation per mm of contrast (240-400 mgI/mL)
    rotation_sd_deg: float
    gas_blobs: tuple[int, int]
    scatter: tuple[float, float]
    circular_field_probability: float
    thin_tube_factor: float
    motion_sd_mm: float  # patient movement between exposures


PROFILES: dict[str, RealismProfile] = {
    "standard": RealismProfile(
        name="standard",
        photons=(900.0, 3000.0),
        blur_mm=(0.25, 0.45),
        contrast_mu=(0.35, 0.55),
        rotation_sd_deg=12.0,
        gas_blobs=(3, 10),
        scatter=(0.0, 0.1),
        circular_field_probability=0.25,
        thin_tube_factor=1.0,
        motion_sd_mm=0.7,
    ),
    "hard": RealismProfile(
        name="hard",
        photons=(250.0, 900.0),
        blur_mm=(0.4, 0.8),
        contrast_mu=(0.2, 0.32),
        rotation_sd_deg=18.0,
        gas_blobs=(8, 18),
        scatter=(0.1, 0.3),
        circular_field_probability=0.5,
        thin_tube_factor=0.75,
        motion_sd_mm=2.5,
    ),
}
