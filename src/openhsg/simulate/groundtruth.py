"""The ground truth of a simulated study: one JSON file beside the images, plus label masks.

The format is published as a JSON Schema (``openhsg/schemas/ground-truth.schema.json``).
Right and left are always the patient's. Pixel positions are (row, column) in the stored
image, so they already account for the study's PatientOrientation.
"""

from __future__ import annotations

import json
import zipfile
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
from numpy.typing import NDArray

from openhsg.errors import InputError

GROUND_TRUTH_FILE = "ground-truth.json"
MASKS_FILE = "masks.npz"
SCHEMA_VERSION = "1.0"

#: Tube state to the reader-level findings (DOMAIN.md section 2 vocabulary).
TUBE_FINDINGS: dict[str, dict[str, Any]] = {
    "patent_free_spill": {
        "patency": "patent",
        "occlusion_site": "none",
        "hydrosalpinx": False,
        "spill": "free",
        "spasm": False,
    },
    "patent_loculated_spill": {
        "patency": "patent",
        "occlusion_site": "none",
        "hydrosalpinx": False,
        "spill": "loculated",
        "spasm": False,
    },
    "proximal_occlusion": {
        "patency": "occluded",
        "occlusion_site": "proximal",
        "hydrosalpinx": False,
        "spill": "none",
        "spasm": False,
    },
    "distal_occlusion": {
        "patency": "occluded",
        "occlusion_site": "distal",
        "hydrosalpinx": False,
        "spill": "none",
        "spasm": False,
    },
    "hydrosalpinx": {
        "patency": "occluded",
        "occlusion_site": "distal",
        "hydrosalpinx": True,
        "spill": "none",
        "spasm": False,
    },
    "spasm": {
        "patency": "patent",
        "occlusion_site": "none",
        "hydrosalpinx": False,
        "spill": "free",
        "spasm": True,
    },
    "absent": {
        "patency": "absent",
        "occlusion_site": "none",
        "hydrosalpinx": False,
        "spill": "none",
        "spasm": False,
    },
}


def describe_tube(tube: dict[str, Any]) -> str:
    """A tube's ground truth in a few words, e.g. ``occluded (distal), hydrosalpinx``."""
    if not tube["present"]:
        reason = tube.get("absent_reason")
        return f"absent ({reason})" if reason else "absent"
    text = str(tube["patency"])
    if tube["occlusion_site"] != "none":
        text += f" ({tube['occlusion_site']})"
    if tube["hydrosalpinx"]:
        text += ", hydrosalpinx"
    if tube["spill"] != "none":
        text += f", {tube['spill']} spill"
    if tube["spasm"]:
        text += ", spasm"
    return text


@cache
def ground_truth_schema() -> dict[str, Any]:
    """The published JSON Schema of ``ground-truth.json``."""
    text = resources.files("openhsg.schemas").joinpath("ground-truth.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate_ground_truth(document: dict[str, Any], source: str = "ground truth") -> None:
    """Raise InputError naming the field if ``document`` does not follow the schema."""
    validator = jsonschema.Draft202012Validator(ground_truth_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise InputError(f"{source}: field {where}: {error.message}")


def load_ground_truth(study_dir: Path) -> dict[str, Any]:
    """Read and validate the ground truth of one simulated study folder."""
    path = Path(study_dir) / GROUND_TRUTH_FILE
    try:
        document: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(f"{path}: no ground truth here (not a simulated study?)") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON: {exc}") from None
    validate_ground_truth(document, str(path))
    return document


def save_masks(path: Path, labels: NDArray[np.uint8]) -> None:
    """Write label masks as an ``.npz`` that ``numpy.load`` reads (array ``labels``).

    Deflate level 1: the masks are mostly zeros, so it compresses almost as well as the
    default level at a fraction of the time.
    """
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
        zf.open("labels.npy", "w", force_zip64=True) as f,
    ):
        np.lib.format.write_array(f, np.ascontiguousarray(labels), allow_pickle=False)


def load_masks(study_dir: Path) -> NDArray[np.uint8]:
    """Per-frame label masks, shape (frames, rows, columns), one bit per label."""
    with np.load(Path(study_dir) / MASKS_FILE) as data:
        labels: NDArray[np.uint8] = data["labels"]
    return labels


def mask_of(labels: NDArray[np.uint8], bit: int) -> NDArray[np.bool_]:
    """The boolean mask of one label bit (see ``masks.bits`` in the ground truth)."""
    out: NDArray[np.bool_] = (labels & bit) != 0
    return out
