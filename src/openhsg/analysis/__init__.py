"""Automatic reading of an HSG series: findings records and the image analysis."""

from openhsg.analysis.findings import (
    SCHEMA_VERSION,
    AnalysisError,
    CavityFinding,
    CavityMeasurements,
    FillingDefect,
    FrameRef,
    IntravasationFinding,
    KeyImages,
    StudyFindings,
    TubeFinding,
    Tubes,
)

__all__ = [
    "SCHEMA_VERSION",
    "AnalysisError",
    "CavityFinding",
    "CavityMeasurements",
    "FillingDefect",
    "FrameRef",
    "IntravasationFinding",
    "KeyImages",
    "StudyFindings",
    "TubeFinding",
    "Tubes",
]
