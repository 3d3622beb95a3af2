"""Is a faint gap in a tube really tube? Evidence along the best path, against decoys.

The isthmus is the narrowest part of the tube (DOMAIN.md 2); at low dose it can sink into the
noise while the wider ampulla still shows. Spill may only make a tube patent when it is seen
*from that tube*, so a visible distal part counts only if the contrast column can be followed
back to its cornu. Following a faint column is a search, and a search through noise always
finds a path somewhat brighter than average. So the evidence along the best path from the
column at the cornu to the distal part is compared with the evidence along the best paths
from the same start to decoy points: points at the same distance from the cornu in other
directions, where no contrast is seen. Only a path clearly brighter than every decoy's links
the parts; otherwise the gap stays a gap (and the reading stays cautious).

Pure functions over arrays (working resolution).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from skimage.graph import MCP_Geometric

from openhsg.analysis.core import dilate_in_box

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]

DECOY_ANGLES_DEG = (-105.0, -70.0, -35.0, 35.0, 70.0, 105.0)
"""Directions of the decoy points, relative to the direction of the distal part."""


@dataclass(frozen=True)
class GapLink:
    """Evidence that a gap between two parts of a tube is tube.

    Attributes
    ----------
    linked
        True when the path is clearly brighter than every decoy path.
    score
        Mean evidence along the gap part of the best path (noise units of ``evidence``).
    null
        Highest mean evidence along the decoy paths (-inf if none could be placed).
    decoys
        Number of decoy paths compared.
    path
        Pixels of the best path's gap part.
    """

    linked: bool
    score: float
    null: float
    decoys: int
    path: BoolArray


def _path_mask(mcp: MCP_Geometric, end: tuple[int, int], shape: tuple[int, ...]) -> BoolArray:
    mask = np.zeros(shape, dtype=bool)
    for r, c in mcp.traceback(end):  # type: ignore[no-untyped-call]
        mask[r, c] = True
    return mask


def _near(mask: BoolArray, row: int, col: int, reach: int) -> bool:
    """Any of ``mask`` within ``reach`` steps of (row, col): ``ndi.binary_dilation(mask,
    iterations=reach)[row, col]`` (the cross, iterated, reaches a diamond), read locally."""
    r0, c0 = max(0, row - reach), max(0, col - reach)
    window = mask[r0 : row + reach + 1, c0 : col + reach + 1]
    rows, cols = np.nonzero(window)
    return bool((np.abs(rows + r0 - row) + np.abs(cols + c0 - col) <= reach).any())


def link_gap(
    evidence: FloatArray,
    start: BoolArray,
    segment: BoolArray,
    passable: BoolArray,
    contrast: BoolArray,
    origin: tuple[float, float],
    mm: float,
    margin: float = 0.5,
    min_score: float = 1.0,
) -> GapLink:
    """Weigh the faint path between the column at the cornu and a distal part of the tube.

    Parameters
    ----------
    evidence
        Smoothed contrast in noise units (higher = more contrast).
    start
        The column traced from the cornu (at least the cornual point).
    segment
        The distal part, not connected to ``start``.
    passable
        Where a tube can run (not the cavity, not the other tube's contrast).
    contrast
        Any contrast seen in this frame: decoy points are placed away from it.
    origin
        The cornu (row, col).
    mm
        Pixel size.
    margin, min_score
        The path's mean evidence must exceed the best decoy's by ``margin`` and be at least
        ``min_score``.
    """
    empty = np.zeros(evidence.shape, dtype=bool)
    if not start.any() or not segment.any():
        return GapLink(False, 0.0, float("-inf"), 0, empty)
    # Bright pixels are cheap; impassable ones are not entered at all.
    costs = 1.0 / (0.25 + np.clip(evidence.astype(np.float64), 0.0, 8.0))
    costs[~(passable | start | segment)] = np.inf
    mcp = MCP_Geometric(costs)
    starts = np.argwhere(start)
    # The search stops at the first part pixel reached: the cheapest (Dijkstra's order).
    cumulative, _ = mcp.find_costs(  # type: ignore[no-untyped-call]
        [tuple(p) for p in starts],
        [tuple(p) for p in np.argwhere(segment)],
        find_all_ends=False,
    )
    seg_costs = np.where(segment, cumulative, np.inf)
    if not np.isfinite(seg_costs).any():
        return GapLink(False, 0.0, float("-inf"), 0, empty)
    end = np.unravel_index(int(np.argmin(seg_costs)), seg_costs.shape)
    end_rc = (int(end[0]), int(end[1]))
    keep_off = max(1, round(1.5 / mm))
    near_start = dilate_in_box(start, keep_off)

    def gap_part(path: BoolArray, target: BoolArray) -> BoolArray:
        near_target = dilate_in_box(target, keep_off)
        out: BoolArray = path & ~near_start & ~near_target
        return out

    best = gap_part(_path_mask(mcp, end_rc, evidence.shape), segment)
    if best.sum() < 3:
        # A gap of a pixel or two: the parts touch for all practical purposes.
        return GapLink(True, float("inf"), float("-inf"), 0, best)
    score = float(np.mean(evidence[best]))
    # Decoy paths may not borrow the candidate path's own corridor (a decoy that follows the
    # faint tube most of the way would measure the tube, not the noise).
    corridor = dilate_in_box(best, 2 * keep_off)
    decoy_costs = costs.copy()
    decoy_costs[corridor] = np.inf
    # Decoys: same distance from the cornu as the distal part's near end, other directions.
    dr, dc = end_rc[0] - origin[0], end_rc[1] - origin[1]
    clear = max(1, round(5.0 / mm))
    points: list[tuple[int, int]] = []
    for angle in np.deg2rad(DECOY_ANGLES_DEG):
        r = origin[0] + dr * np.cos(angle) - dc * np.sin(angle)
        c = origin[1] + dr * np.sin(angle) + dc * np.cos(angle)
        ri, ci = round(r), round(c)
        if not (0 <= ri < evidence.shape[0] and 0 <= ci < evidence.shape[1]):
            continue
        if (
            passable[ri, ci]
            and np.isfinite(decoy_costs[ri, ci])
            and not _near(contrast, ri, ci, clear)
        ):
            points.append((ri, ci))
    if not points:
        return GapLink(False, score, float("-inf"), 0, best)
    mcp = MCP_Geometric(decoy_costs)
    # The search stops once every decoy point is reached.
    cumulative, _ = mcp.find_costs([tuple(p) for p in starts], points)  # type: ignore[no-untyped-call]
    nulls: list[float] = []
    for ri, ci in points:
        if not np.isfinite(cumulative[ri, ci]):
            continue
        point = np.zeros(evidence.shape, dtype=bool)
        point[ri, ci] = True
        part = gap_part(_path_mask(mcp, (ri, ci), evidence.shape), point)
        if part.sum() >= 3:
            nulls.append(float(np.mean(evidence[part])))
    if len(nulls) < 2:
        # Too few places to compare with: the gap cannot be weighed.
        return GapLink(False, score, float("-inf"), len(nulls), best)
    null = max(nulls)
    linked = score >= min_score and score >= null + margin
    return GapLink(linked, score, null, len(nulls), best)
