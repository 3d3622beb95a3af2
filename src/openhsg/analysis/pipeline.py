"""Analyse frames of one study into :class:`~openhsg.analysis.findings.StudyFindings`.

:func:`analyze_frames` is the whole reading of one study (pure: frames in, findings and masks
out). :func:`analyze_paths` reads files, groups them by StudyInstanceUID and analyses each group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi

from openhsg import __version__
from openhsg.analysis import core, decide, tubes
from openhsg.analysis.findings import (
    AnalysisError,
    CavityFinding,
    FillingDefect,
    FrameRef,
    IntravasationFinding,
    KeyImages,
    StudyFindings,
    TubeFinding,
    Tubes,
)
from openhsg.imaging.dicom_read import Frame, SeriesRead, read_series

__all__ = ["StudyAnalysis", "analyze_frames", "analyze_paths", "group_by_study"]

MIN_FRAMES = 2


@dataclass(frozen=True)
class StudyAnalysis:
    """Findings of one study plus the working-resolution masks behind them (for overlays).

    Attributes
    ----------
    findings
        The typed findings.
    frames
        The analysed frames (standard orientation, full resolution).
    factor
        Working resolution block size: mask pixel (r, c) covers frame pixels
        ``[r*factor:(r+1)*factor, c*factor:(c+1)*factor]``.
    cavity
        (n, rows, cols) bool filled cavity per frame (working resolution), or None.
    right, left
        (n, rows, cols) bool contrast attributed to each tube (and its spill), or None.
    spill
        (n, rows, cols) bool amorphous contrast counted as spill, or None.
    defects
        bool mask of filling defects at full filling, or None.

    All masks are in each frame's own pixel grid (patient motion between frames undone), so
    they can be drawn on the frame they belong to.
    """

    findings: StudyFindings
    frames: list[Frame] = field(default_factory=list)
    factor: int = 1
    cavity: core.BoolArray | None = None
    right: core.BoolArray | None = None
    left: core.BoolArray | None = None
    spill: core.BoolArray | None = None
    defects: core.BoolArray | None = None


def _indeterminate_tube(reason: str) -> TubeFinding:
    return TubeFinding("indeterminate", None, False, None, "indeterminate", 0.0, (reason,))


def _empty_findings(
    uid: str, reason: str, warnings: list[str], errors: list[AnalysisError], n: int
) -> StudyFindings:
    tube = _indeterminate_tube(reason)
    return StudyFindings(
        study_instance_uid=uid,
        tubes=Tubes(tube, tube),
        cavity=CavityFinding("indeterminate", 0.0, reasons=(reason,)),
        intravasation=IntravasationFinding(False, 0.0, (reason,)),
        warnings=tuple(warnings),
        errors=tuple(errors),
        frame_count=n,
        software=f"openhsg {__version__}",
    )


def _ref(frames: list[Frame], index: int | None) -> FrameRef | None:
    if index is None or not 0 <= index < len(frames):
        return None
    f = frames[index]
    return FrameRef(f.sop_instance_uid, f.frame_index, index + 1)


def analyze_frames(
    frames: list[Frame],
    *,
    warnings: Iterable[str] = (),
    errors: Iterable[AnalysisError] = (),
    skipped: Iterable[AnalysisError] = (),
) -> StudyAnalysis:
    """Read one study: its frames, time-ordered, first frame the scout.

    Parameters
    ----------
    frames
        Frames of one study in acquisition order (as :func:`read_series` returns them).
    warnings, errors, skipped
        Notes from reading the files, carried into the findings.

    Returns
    -------
    StudyAnalysis
    """
    warns = list(warnings)
    errs = list(errors)
    skips = tuple(skipped)
    uid = frames[0].study_instance_uid if frames else ""
    n = len(frames)
    if n < MIN_FRAMES:
        f = _empty_findings(
            uid, f"{n} frame(s): a scout and contrast frames are needed", warns, errs, n
        )
        return StudyAnalysis(f, frames)
    shapes = {fr.pixels.shape for fr in frames}
    if len(shapes) > 1:
        # Different matrices in one study: analyse the most common size only.
        common = max(shapes, key=lambda s: sum(fr.pixels.shape == s for fr in frames))
        dropped = [fr for fr in frames if fr.pixels.shape != common]
        frames = [fr for fr in frames if fr.pixels.shape == common]
        warns.append(f"{len(dropped)} frame(s) of another matrix size were not analysed")
        n = len(frames)
    spacing = next((fr.pixel_spacing_mm for fr in frames if fr.pixel_spacing_mm), None)
    if spacing is None:
        warns.append("no pixel spacing: millimetres assume a 300 mm field of view")
    stack = core.working_stack([fr.pixels for fr in frames], spacing)
    mm = stack.mm_per_px
    maps = core.contrast_maps(stack)
    cavity = core.segment_cavity(maps, mm)
    if cavity is None:
        f = _empty_findings(uid, "no filled uterine cavity found in any frame", warns, errs, n)
        return StudyAnalysis(replace_skipped(f, skips), frames, stack.factor)
    sides = core.side_map(maps, cavity, mm)
    readings = {s: _read_side_in_box(sides, maps.z, s, mm) for s in (core.RIGHT, core.LEFT)}
    readings = _contested_spill(readings, sides.extra, cornua=sides.cornua, mm=mm)
    readings = _spill_at_an_earlier_end(readings, sides.cornua, mm)
    readings = _tube_ending_at_the_other_cornu(readings, sides.cornua, mm)
    readings = _spill_by_a_hidden_end(readings, sides.exclusion, sides.cornua, mm)
    readings = _clear_of_other_side(readings, mm, core.dilate_in_box(cavity.union, round(3.0 / mm)))
    full_z = maps.z[cavity.full_index][cavity.filled[cavity.full_index]]
    cavity_z = float(np.median(full_z)) if full_z.size else None
    (r1, c1), (r2, c2) = sides.cornua[core.RIGHT], sides.cornua[core.LEFT]
    single_cornu = float(np.hypot(r1 - r2, c1 - c2)) * mm < tubes.SINGLE_CORNU_MM
    # Cavity shape.
    full = cavity.filled[cavity.full_index]
    # The shape is read on the cavity completed out to its faint horns (decide.complete_cavity).
    shape_mask = decide.complete_cavity(full, maps.mask[cavity.full_index], mm)
    features = decide.cavity_features(shape_mask, mm)
    measurements, ncav = features.measurements, features.cavities
    rows, cols = np.nonzero(full)
    bottom = rows.max()
    os_cols = cols[rows >= bottom - max(1, int(3.0 / mm))]
    top_cols = cols[rows <= rows.min() + max(1, int(8.0 / mm))]
    width_px = max(1.0, float(cols.max() - cols.min() + 1))
    asym = abs(float(top_cols.mean()) - float(os_cols.mean())) / width_px
    seen = (
        readings[core.RIGHT].length_mm >= tubes.TUBE_RULES.tube_min_length_mm,
        readings[core.LEFT].length_mm >= tubes.TUBE_RULES.tube_min_length_mm,
    )
    shape, shape_conf, shape_reasons = decide.decide_cavity_shape(
        measurements, ncav, asym, seen, features=features
    )
    # One horn tip for both sides. A cavity distorted by a fibroid can bring the cornual points
    # together too (9 mm apart, tip 6 mm off the os, seen in validation), so a cavity whose
    # outline is not read as unicornuate needs a tighter tip, clearly off the midline (the
    # unicornuate cavities in development: tips 3-6 mm wide, 7-23 mm off the os).
    horn = None
    if single_cornu and shape == "unicornuate":
        horn = _single_horn_side(sides, full, mm)
    elif float(np.hypot(r1 - r2, c1 - c2)) * mm < TIGHT_HORN_TIP_MM:
        horn = _single_horn_side(sides, full, mm, min_off_mm=FAR_OFF_MIDLINE_MM)
    horn_in_doubt: int | None = None
    if horn is not None and _tube_runs_away_from(horn, readings):
        # The tip leans one way but the one tube runs out on the other side: which side has
        # no horn is not clear (a false reassurance in validation gave the one tube to the
        # wrong side). Both sides are read as usual, under the one-tip rule, and neither
        # may be called patent: the one tube may cross the midline (a second false
        # reassurance, on the next fresh hard set, gave a crossing tube to the wrong side).
        horn_in_doubt, horn = horn, None
    absent: int | None = None
    if horn is not None:
        # A unicornuate cavity (DOMAIN.md 2: a single horn off the midline, one tube): the one
        # tube leaving the horn tip is the horn side's, read from all the contrast outside
        # the cavity; the other side has no horn and no tube to fill.
        one_sides = _one_tube_sides(sides, horn)
        one = _read_side_in_box(one_sides, maps.z, horn, mm)
        if _runs_to_the_other_side(one, one_sides.cornua[horn], horn, mm):
            # The tip leans one way, but the one tube read from it runs out on the other side
            # (a false reassurance on another detector matrix: a horn 4 mm off the os, its
            # tube running 80 mm out to the other side, was given to the horn's side).
            horn_in_doubt, horn = horn, None
        else:
            absent = core.LEFT if horn == core.RIGHT else core.RIGHT
            sides = one_sides
            readings = {
                horn: replace(one, clear_of_other_side=True),
                absent: _nothing_read(sides.extra.shape),
            }
            single_cornu = False
    calls = {
        s: tubes.decide_tube(
            readings[s],
            "right" if s == core.RIGHT else "left",
            n,
            cavity_z=cavity_z,
            cavity_first_frame=cavity.first_index,
            single_cornu=single_cornu,
        )
        for s in (core.RIGHT, core.LEFT)
    }
    if horn is not None and absent is not None:
        names = {core.RIGHT: "right", core.LEFT: "left"}
        calls[absent] = TubeFinding(
            "occluded",
            "proximal",
            False,
            None,
            "none",
            0.6,
            (
                f"the cavity is a single horn off to the patient's {names[horn]} (a unicornuate "
                f"uterus): the one tube leaving its tip is the {names[horn]} tube; no "
                f"{names[absent]} horn or tube fills",
            ),
        )
    # A venous network is thin, faint contrast too: it may lie away from both tubes.
    intrav = _intravasation(maps, cavity, sides, mm)
    for s in (core.RIGHT, core.LEFT):
        if s == absent:
            continue
        if calls[s].patency == "occluded" and not calls[s].hydrosalpinx:
            away = _unexplained(readings, s, mm, maps.z)
            if away.area_mm2 >= tubes.TUBE_RULES.unexplained_min_mm2:
                readings[s] = replace(
                    readings[s],
                    unexplained_area_mm2=away.area_mm2,
                    unexplained_growth=away.growth,
                    unexplained_far_mm=away.far_mm,
                    unexplained_median_z=away.median_z,
                    intravasation_seen=intrav.present,
                )
                calls[s] = tubes.decide_tube(
                    readings[s],
                    "right" if s == core.RIGHT else "left",
                    n,
                    cavity_z=cavity_z,
                    cavity_first_frame=cavity.first_index,
                    single_cornu=single_cornu,
                )
    names = {core.RIGHT: "right", core.LEFT: "left"}
    doubt: str | None = None
    if horn_in_doubt is not None:
        other = core.LEFT if horn_in_doubt == core.RIGHT else core.RIGHT
        doubt = (
            f"but the cavity is a single horn leaning to the patient's {names[horn_in_doubt]} "
            f"while its tube runs out to the {names[other]}: the one tube may cross the "
            "midline, so which side spills cannot be told"
        )
    doubtful: tuple[int, ...] = (core.RIGHT, core.LEFT)
    if horn_in_doubt is None and shape == "unicornuate" and absent is None:
        # A single horn by its outline, but no one tip to part the sides at (the cornual
        # points lie apart): a "tube" on the side away from the horn may be contrast by the
        # canal, and the horn's own tube spilling across (a false reassurance on fresh hard
        # validation). Applied to both sides, this cost 23 correct calls in development.
        lean = _single_horn_side(sides, full, mm)
        doubtful = (
            (core.LEFT if lean == core.RIGHT else core.RIGHT,)
            if lean is not None
            else (core.RIGHT, core.LEFT)
        )
        doubt = (
            "but the cavity is a single horn (unicornuate) without one tip to part the sides "
            "at: which side its one tube is, and whose spill this is, cannot be told"
        )
    if doubt is not None:
        for s in doubtful:
            if calls[s].patency != "patent":
                continue
            calls[s] = TubeFinding(
                "indeterminate",
                None,
                False,
                calls[s].max_ampullary_diameter_mm,
                "indeterminate",
                0.3,
                (*calls[s].reasons, doubt),
            )
    for s in _lines_passing_their_cornu(readings, sides.cornua, mm):
        if s == absent or calls[s].patency != "patent":
            continue
        name, other_name = names[s], names[core.LEFT if s == core.RIGHT else core.RIGHT]
        calls[s] = TubeFinding(
            "indeterminate",
            None,
            False,
            calls[s].max_ampullary_diameter_mm,
            "indeterminate",
            0.3,
            (
                *calls[s].reasons,
                f"but the line seen by the {name} cornu passes it rather than leaving it, "
                f"and no {other_name} tube is seen: it may be the {other_name} tube crossing "
                "over the fundus, so whose spill this is cannot be told",
            ),
        )
        o = core.LEFT if s == core.RIGHT else core.RIGHT
        if o != absent and calls[o].patency == "occluded":
            # The same doubt the other way: the line may be the other tube, filled and spilling.
            calls[o] = TubeFinding(
                "indeterminate",
                None,
                False,
                None,
                "indeterminate",
                0.3,
                (
                    *calls[o].reasons,
                    f"but the line seen by the {name} cornu may be the {other_name} tube "
                    "crossing over the fundus, so its occlusion is not shown",
                ),
            )
    for s in (core.RIGHT, core.LEFT):
        call = calls[s]
        if s == absent or call.patency != "occluded" or call.occlusion_site != "distal":
            continue
        if call.hydrosalpinx:
            continue
        o = core.LEFT if s == core.RIGHT else core.RIGHT
        name = "right" if s == core.RIGHT else "left"
        if _end_hidden_by_spill(readings, s, sides, mm):
            why = "where spill lies: it may spill there unseen"
        elif readings[o].other_may_emerge and calls[o].patency == "indeterminate":
            # The other side's spill was not given to its tube because this one may have
            # brought it from behind the uterus: then this tube may be open too.
            why = f"and may come out on the {names[o]} side: the spill there may be its own"
        else:
            continue
        calls[s] = TubeFinding(
            "indeterminate",
            None,
            False,
            None,
            "indeterminate",
            0.3,
            (
                *call.reasons,
                f"but the {name} tube's far end runs into the cavity and canal, out of sight, "
                + why,
            ),
        )
    for s in (core.RIGHT, core.LEFT):
        call = calls[s]
        if s == absent or call.patency != "occluded" or call.occlusion_site != "distal":
            continue
        if call.hydrosalpinx:
            continue
        o = core.LEFT if s == core.RIGHT else core.RIGHT
        if not _other_sides_spill_at_end(readings, s, sides, mm):
            continue
        calls[s] = TubeFinding(
            "indeterminate",
            None,
            False,
            None,
            "indeterminate",
            0.3,
            (
                *call.reasons,
                f"but spill lies at the {names[s]} tube's far end, given to the {names[o]} "
                f"side as it runs on into that side's contrast, and away from the {names[o]} "
                "tube's end: it may be this tube's own spill, so occlusion is not shown",
            ),
        )
    # Spill grows and spreads (issue 3's time reasoning): spill that shows on this side only
    # after the other side has spilled, and stays small beside it, may be that spill spreading
    # across (two false reassurances on fresh validation: the other side's spill reached a
    # blocked side's network trace, and a hydrosalpinx's side, a frame later). Tubes filling
    # late after an antispasmodic mostly spill more than that (a fifth of the other side's
    # spill or more on development data; a few between a fifth and a third).
    for s in (core.RIGHT, core.LEFT):
        if s == absent or calls[s].patency != "patent":
            continue
        o = core.LEFT if s == core.RIGHT else core.RIGHT
        if not _small_late_spill(readings[s], readings[o]):
            continue
        calls[s] = TubeFinding(
            "indeterminate",
            None,
            False,
            calls[s].max_ampullary_diameter_mm,
            "indeterminate",
            0.3,
            (
                *calls[s].reasons,
                f"but that contrast shows only after the {names[o]} side has spilled, and "
                f"stays small beside its spill: it may be that spill spreading across",
            ),
        )
    for s in (core.RIGHT, core.LEFT):
        if s == absent or calls[s].patency != "patent":
            continue
        o = core.LEFT if s == core.RIGHT else core.RIGHT
        if not _held_while_other_spreads(readings[s], readings[o]):
            continue
        calls[s] = TubeFinding(
            "indeterminate",
            None,
            False,
            calls[s].max_ampullary_diameter_mm,
            "indeterminate",
            0.3,
            (
                *calls[s].reasons,
                f"but that contrast is one tube-shaped collection that stops growing into the "
                f"last frame while the {names[o]} side's spill still spreads: a dilated, "
                "blocked ampulla holding contrast (hydrosalpinx) is not ruled out",
            ),
        )
    # Filling defects over the cavity frames before the tubes drain it.
    cav_frames = [
        i
        for i in range(cavity.first_index, n)
        if cavity.filled[i].sum() >= 0.6 * cavity.filled[cavity.full_index].sum()
    ][:4]
    defect_regions, mobile = decide.find_defects(
        maps.z, cavity.filled, cav_frames, cavity.full_index, mm
    )
    defects: list[FillingDefect] = []
    defect_mask = np.zeros_like(full)
    f_scale = stack.factor
    row_mm = spacing[0] if spacing else mm / f_scale
    col_mm = spacing[1] if spacing else mm / f_scale
    for region, kind, conf in defect_regions:
        defect_mask |= region
        # Centres are given on the full-filling frame as acquired (motion undone).
        r, c = np.subtract(ndi.center_of_mass(region), maps.shifts[cavity.full_index])
        size = float(np.sqrt(4.0 * region.sum() / np.pi)) * mm
        centre_px = ((r + 0.5) * f_scale - 0.5, (c + 0.5) * f_scale - 0.5)
        defects.append(
            FillingDefect(
                kind,  # type: ignore[arg-type]
                (round(centre_px[0], 1), round(centre_px[1], 1)),
                (round(centre_px[1] * col_mm, 2), round(centre_px[0] * row_mm, 2)),
                round(size, 2),
                conf,
            )
        )
    if mobile:
        shape_reasons.append(f"{mobile} small lucency(ies) moving between frames: air bubbles")
    cav_finding = decide.cavity_finding(
        shape, shape_conf, measurements, tuple(defects), shape_reasons
    )
    # Spill masks and key images.
    spill = np.zeros_like(maps.mask)
    thick_fp = ndi.generate_binary_structure(2, 1)
    radius = max(1, round(2.0 / mm))
    for s in (core.RIGHT, core.LEFT):
        if calls[s].patency != "patent":
            continue
        side_extra = sides.extra & (sides.labels == s)[None]
        # The opening stays inside the side's contrast: work in the box around all of it.
        box = core.bounding_box(side_extra.any(axis=0), 1)
        if box is None:
            continue
        for i in range(n):
            opened = core.open_where_it_fits(side_extra[i][box], thick_fp, radius)
            spill[i][box] |= opened
    spill_frames = [
        readings[s].spill_frame
        for s in calls
        if calls[s].patency == "patent" and readings[s].spill_frame is not None
    ]
    spill_areas = spill.reshape(n, -1).sum(axis=1)
    free_spill = int(np.argmax(spill_areas)) if spill_frames and spill_areas.max() > 0 else None
    lengths = np.add(readings[core.RIGHT].lengths_mm, readings[core.LEFT].lengths_mm)
    stop = free_spill if free_spill is not None else n - 1
    tubal = int(np.argmax(lengths[: stop + 1])) if lengths[: stop + 1].max() > 0 else None
    if tubal is not None and tubal == free_spill and free_spill > cavity.full_index + 1:
        tubal = int(np.argmax(lengths[:free_spill]))
    key = KeyImages(
        early_filling=_ref(frames, cavity.first_index),
        full_filling=_ref(frames, cavity.full_index),
        tubal_filling=_ref(frames, tubal),
        free_spill=_ref(frames, free_spill),
    )
    if n < 4:
        warns.append(f"only {n} frames: the four key HSG stages cannot all be shown")
    findings = StudyFindings(
        study_instance_uid=uid,
        tubes=Tubes(calls[core.RIGHT], calls[core.LEFT]),
        cavity=cav_finding,
        intravasation=intrav,
        key_images=key,
        warnings=tuple(warns),
        errors=tuple(errs),
        skipped=skips,
        frame_count=n,
        pixel_spacing_mm=spacing,
        software=f"openhsg {__version__}",
    )
    own_r = sides.labels == core.RIGHT
    own_l = sides.labels == core.LEFT

    # The masks were found on registered frames: give them back in each frame's own place.
    def placed(masks: core.BoolArray) -> core.BoolArray:
        return core.masks_in_frame_coordinates(masks, maps.shifts)

    full_shift = maps.shifts[cavity.full_index : cavity.full_index + 1]
    return StudyAnalysis(
        findings,
        frames,
        stack.factor,
        cavity=placed(cavity.filled),
        right=placed(sides.extra & own_r[None]),
        left=placed(sides.extra & own_l[None]),
        spill=placed(spill),
        defects=core.masks_in_frame_coordinates(defect_mask[None], full_shift)[0],
    )


def replace_skipped(f: StudyFindings, skipped: tuple[AnalysisError, ...]) -> StudyFindings:
    """``f`` with its skipped objects set."""
    return replace(f, skipped=skipped)


def _read_side_in_box(
    sides: core.Sides, z: core.FloatArray, side: int, mm: float
) -> tubes.TubeReading:
    """:func:`tubes.read_side` computed in the box around that side's contrast.

    The reading only looks at the side's contrast and at pixels within the gap-bridging reach
    of it (distances to the cornu are relative), so a box with a margin beyond that reach gives
    the same reading as the whole frame, at a fraction of the cost of its morphology.
    """
    own = (sides.extra & (sides.labels == side)[None]).any(axis=0)
    rules = tubes.TUBE_RULES
    # Faint evidence reaches beyond the side's contrast, is smoothed (4 sigma of support) and
    # bridged by a gap; the thick opening needs its radius twice.
    smooth_support = int(np.ceil(4.0 * max(1.0, rules.trace_smooth_mm / mm)))
    margin = (
        tubes.faint_reach_px(mm, rules)
        + smooth_support
        + round(2.0 * max(rules.gap_mm, rules.thick_radius_mm) / mm)
        + 2
    )
    box = core.bounding_box(own, margin)
    if box is None:
        return tubes.read_side(sides, z, side, mm)
    r0, c0 = float(box[0].start), float(box[1].start)
    cropped = core.Sides(
        labels=sides.labels[box],
        extra=sides.extra[:, box[0], box[1]],
        midline_col=sides.midline_col - c0,
        cornua={k: (r - r0, c - c0) for k, (r, c) in sides.cornua.items()},
        exclusion=sides.exclusion[box],
    )
    reading = tubes.read_side(cropped, z[:, box[0], box[1]], side, mm)
    # Masks back on the whole frame, for comparing the two sides.
    footprint = np.zeros(sides.extra.shape, dtype=bool)
    patch = None
    if reading.footprint is not None:
        footprint[:, box[0], box[1]] = reading.footprint
    if reading.thick_stack is not None:
        thick = np.zeros(sides.extra.shape, dtype=bool)
        thick[:, box[0], box[1]] = reading.thick_stack
        reading = replace(reading, thick_stack=thick)
    if reading.spill_patch is not None:
        patch = np.zeros(sides.labels.shape, dtype=bool)
        patch[box] = reading.spill_patch
    return replace(reading, footprint=footprint, spill_patch=patch)


HORN_OFF_MIDLINE_MM = 4.0
"""A single horn tip at least this far to one side of the internal os is off the midline."""

TIGHT_HORN_TIP_MM, FAR_OFF_MIDLINE_MM = 7.0, 7.0
"""Without a unicornuate outline, both cornual points within this of each other and the tip at
least this far off the os make a single horn."""


def _single_horn_side(
    sides: core.Sides, full: core.BoolArray, mm: float, min_off_mm: float = HORN_OFF_MIDLINE_MM
) -> int | None:
    """The side a single horn points to, or None when its tip is not clearly off the midline.

    The tip is where both cornual points lie (:data:`tubes.SINGLE_CORNU_MM`); the midline is
    the internal os, the bottom of the filled cavity. Columns run toward the patient's left
    (the frames are in the standard frontal view, the patient's right on the image's left).
    """
    rows, cols = np.nonzero(full)
    if rows.size == 0:
        return None
    os_col = float(np.median(cols[rows >= rows.max() - max(1, int(3.0 / mm))]))
    tip_col = (sides.cornua[core.RIGHT][1] + sides.cornua[core.LEFT][1]) / 2.0
    off = (tip_col - os_col) * mm
    if abs(off) < min_off_mm:
        return None
    return core.LEFT if off > 0 else core.RIGHT


def _tube_runs_away_from(horn: int, readings: dict[int, tubes.TubeReading]) -> bool:
    """The side opposite ``horn`` shows a tube, at least twice as long as the horn side's.

    A distal part seen without its proximal tube counts too: it may be the one tube's own
    part lying across the axis, or the one tube itself on the side the tip does not lean to
    (a false reassurance on fresh hard validation gave it to the horn side). Either way which
    side has the tube is in doubt, and neither side is called patent.
    """
    other = core.LEFT if horn == core.RIGHT else core.RIGHT
    theirs, mine = readings[other].length_mm, readings[horn].length_mm
    return theirs >= tubes.TUBE_RULES.tube_min_length_mm and theirs >= 2.0 * mine


ACROSS_MM = 10.0
"""The one tube of a single horn runs out on the horn's side: a tube whose far end lies this far
across the tip, on the other side, does not."""


def _runs_to_the_other_side(
    reading: tubes.TubeReading, tip: tuple[float, float], horn: int, mm: float
) -> bool:
    """The far end of the tube read from a single horn's tip lies :data:`ACROSS_MM` or more on
    the side away from the horn (columns run toward the patient's left).

    A unicornuate horn carries its one tube out on its own side (DOMAIN.md 2: a single horn
    off the midline, one tube); the end is where the tube is longest, its thick contrast left
    out.
    """
    frame = reading.tube_frame
    if frame is None or reading.footprint is None:
        return False
    column = reading.footprint[frame]
    if reading.thick_stack is not None:
        column = column & ~reading.thick_stack[frame]
    if not column.any():
        return False
    end = _tube_end_at(reading, frame, tip, mm)
    where = end if end.size and end.any() else column
    cols = np.nonzero(where)[1]
    across = (float(np.median(cols)) - tip[1]) * mm
    if horn == core.LEFT:
        across = -across
    return across >= ACROSS_MM


PASSING_GAP_MM = 8.0
PASSING_ANGLE_DEG = 90.0


def _lines_passing_their_cornu(
    readings: dict[int, tubes.TubeReading], cornua: dict[int, tuple[float, float]], mm: float
) -> tuple[int, ...]:
    """Sides whose traced line passes their cornu while the other side shows no tube.

    A tube whose first part is too faint to see still points back at its cornu across the
    gap; a line whose near end points away from the cornu, in the frame where the tube is
    first seen and where it is longest, passes by. With no tube seen on the other side, it may
    be the other tube crossing over the fundus (a false reassurance on fresh hard validation:
    the left tube's distal part, 11 mm from a blocked right cornu, was read as the right tube).
    """
    out: list[int] = []
    for side in (core.RIGHT, core.LEFT):
        r = readings[side]
        other = readings[core.LEFT if side == core.RIGHT else core.RIGHT]
        thick, traced = r.thick_stack, r.footprint
        if r.tube_frame is None or r.first_tube_frame is None or r.detached:
            continue
        if thick is None or traced is None:
            continue
        if other.length_mm >= tubes.TUBE_RULES.tube_min_length_mm:
            continue
        passing = []
        for i in {r.first_tube_frame, r.tube_frame}:
            met = tubes.line_passing_cornu(traced[i] & ~thick[i], cornua[side], mm)
            passing.append(
                met is not None and met[0] > PASSING_GAP_MM and met[1] > PASSING_ANGLE_DEG
            )
        if all(passing):
            out.append(side)
    return tuple(out)


def _one_tube_sides(sides: core.Sides, horn: int) -> core.Sides:
    """All contrast outside the cavity given to ``horn``, both cornual points at its tip."""
    tip = (
        (sides.cornua[core.RIGHT][0] + sides.cornua[core.LEFT][0]) / 2.0,
        (sides.cornua[core.RIGHT][1] + sides.cornua[core.LEFT][1]) / 2.0,
    )
    labels = np.where(sides.labels > 0, horn, 0).astype(sides.labels.dtype)
    return replace(sides, labels=labels, cornua={core.RIGHT: tip, core.LEFT: tip})


def _nothing_read(shape: tuple[int, ...]) -> tubes.TubeReading:
    """The reading of a side with no tube at all."""
    n = shape[0]
    empty = np.zeros(shape, dtype=bool)
    return tubes.TubeReading(
        length_mm=0.0,
        tube_frame=None,
        lengths_mm=(0.0,) * n,
        solid_length_mm=0.0,
        thick_area_mm2=(0.0,) * n,
        cornual_area_mm2=0.0,
        max_width_mm=0.0,
        dense_fraction=0.0,
        elongation=1.0,
        components=0,
        growth=0.0,
        footprint=empty,
        thick_stack=empty,
    )


def _tube_end_at(
    reading: tubes.TubeReading, frame: int, cornu: tuple[float, float], mm: float
) -> core.BoolArray:
    """The far end (:func:`tubes._distal_end`) of the tube traced in ``frame``, or empty."""
    fp, thick = reading.footprint, reading.thick_stack
    if fp is None or thick is None:
        return np.zeros((0, 0), dtype=bool)
    gap = max(1, round(tubes.TUBE_RULES.gap_mm / mm))
    column = fp[frame] & ~core.dilate_in_box(thick[frame], gap)
    rows, cols = np.indices(column.shape)
    from_cornu = np.hypot(rows - cornu[0], cols - cornu[1]) * mm
    return tubes._distal_end(column, column, from_cornu, gap, mm, tubes.TUBE_RULES)


SOURCE_END_MM, OTHER_END_MM = 5.0, 10.0
"""Contrast shared by both sides at its first appearance is this tube's when its far end lies
within ``SOURCE_END_MM`` of it and the other tube's far end at least ``OTHER_END_MM`` away. The
traced tube stops a gap (``TubeRules.gap_mm``, 3 mm) short of the thick contrast at its end."""


def _other_end_at(
    mine: tubes.TubeReading,
    theirs: tubes.TubeReading,
    frame: int,
    their_cornu: tuple[float, float],
    mm: float,
) -> bool:
    """The other tube's far end lies within :data:`OTHER_END_MM` of this tube's spill patch in
    some frame up to ``frame`` (its first spill)."""
    patch = mine.spill_patch
    if patch is None or not patch.any() or theirs.footprint is None:
        return False
    near = core.dilate_in_box(patch, max(1, round(OTHER_END_MM / mm)))
    for i in range(frame + 1):
        if not (theirs.footprint[i] & near).any():
            continue
        end = _tube_end_at(theirs, i, their_cornu, mm)
        if end.size and (end & near).any():
            return True
    return False


HIDDEN_END_MM = 3.0
"""A tube's far end this close to the cavity and canal zone may run on behind the uterus."""

HIDDEN_SPILL_REACH_MM = 15.0
"""When the other tube, its end hidden, shows no spill anywhere, spill this close to the cavity
and canal zone may be its own, come out from behind the uterus."""

SHORT_BESIDE_HIDDEN_MM = 60.0
"""When the tube running out of sight spills in view too, only a tube traced shorter than this
loses its spill to it (every side, whatever its length, cost 11 of 200 tubes on a validation
set; short ones were where the false reassurance lay)."""


def _spill_by_a_hidden_end(
    readings: dict[int, tubes.TubeReading],
    zone: core.BoolArray,
    cornua: dict[int, tuple[float, float]],
    mm: float,
) -> dict[int, tubes.TubeReading]:
    """Mark ``other_end_hidden`` (or ``other_tube_unseen``, ``other_may_emerge``) where the
    other tube may have brought the spill from behind the uterus.

    When the other tube's far end, well away from its cornu, runs into the cavity and canal
    zone, the tube may go on behind the uterus, out of sight, and spill beside it. Spill of
    this side that touches that zone may then be the other tube's. Two false reassurances in
    validation: a tube looping round the cavity spilled on its far side next to a
    hydrosalpinx (the other side showing no spill of its own), and a tube passing under the
    cavity spilled on both sides of the canal, next to a proximal occlusion. A third, on the
    next fresh set: such spill reached a hydrosalpinx's tube only in the last frame, so this
    side's spill is looked at as it spreads, not only where it first shows.
    """
    out = dict(readings)
    reach = max(1, round(HIDDEN_END_MM / mm))
    near_zone = core.dilate_in_box(zone, reach)
    spill_min = tubes.TUBE_RULES.spill_min_area_mm2
    pairs = ((core.RIGHT, core.LEFT), (core.LEFT, core.RIGHT))
    spills = {s: max(readings[s].thick_area_mm2, default=0.0) >= spill_min for s in readings}
    for side, other in pairs:
        out[side] = _hidden_end_mark(
            readings[side], readings[other], spills[other], zone, near_zone, cornua[other], mm
        )
    for side, other in pairs:
        # The other tube's spill is no sign of its end in view when that spill may itself be
        # this tube's, by a hidden end of this tube: with both tubes running into the cavity
        # and canal zone and spill by that zone on both sides, neither spill is surely whose
        # it lies beside (a false reassurance on development data once the canal line was
        # parted from a pool below it: the pool, on both sides of the canal, was each side's).
        if spills[other] and out[other].other_end_hidden and out[side] is readings[side]:
            out[side] = _hidden_end_mark(
                readings[side], readings[other], False, zone, near_zone, cornua[other], mm
            )
    return out


def _hidden_end_mark(
    mine: tubes.TubeReading,
    theirs: tubes.TubeReading,
    theirs_spills: bool,
    zone: core.BoolArray,
    near_zone: core.BoolArray,
    their_cornu: tuple[float, float],
    mm: float,
) -> tubes.TubeReading:
    """``mine`` marked as :func:`_spill_by_a_hidden_end` finds it, given the other side."""
    gap = max(1, round(tubes.TUBE_RULES.gap_mm / mm))
    frame = mine.first_spill_frame
    # A tube that spills itself has an end in view; its hidden part matters only for a
    # short tube beside it, which may be nothing but the cornu's own contrast.
    # (Thick contrast too small to be spill at the other tube's end is not its spill.)
    if frame is None or (theirs_spills and mine.solid_length_mm >= SHORT_BESIDE_HIDDEN_MM):
        return mine
    if mine.footprint is None or mine.thick_stack is None or theirs.footprint is None:
        return mine
    # When the other tube shows no spill of its own, this side's spill is followed as it
    # spreads, from its first frame on: spill from a hidden end may reach this tube only
    # later (a hydrosalpinx called patent on fresh validation). Otherwise only where it
    # first shows (spreading spill reaches the cavity often: 12 correct calls lost on
    # development data).
    spreading = (
        mine.footprint[frame:] & mine.thick_stack[frame:]
        if not theirs_spills
        else mine.footprint[frame : frame + 1] & mine.thick_stack[frame : frame + 1]
    )
    # With no spill of its own anywhere, the other tube, if open, spills out of sight and
    # its spill may come out beside the uterus a little way from it (a false reassurance
    # on fresh validation: a removed tube's side got, as "its" spill 12 mm from the
    # cavity, the spill of the other tube looping behind the uterus, with 28 mm of that
    # spill's edge as "its" tube). A long tube of this side leading to the spill is its
    # source: 17 of 24 correct calls the wider reach cost on development data.
    reach_zone = near_zone
    short_beside_silent = not theirs_spills and mine.solid_length_mm < SHORT_BESIDE_HIDDEN_MM
    if short_beside_silent:
        reach_zone = ndi.distance_transform_edt(~zone) * mm <= HIDDEN_SPILL_REACH_MM
    near_spill = bool((spreading & reach_zone[None]).any())
    # A short tube leaving the cavity, with spill farther out, beside another tube that
    # runs behind the uterus and shows no spill of its own: the other tube may come out
    # from behind the cavity on this side and be all this side shows (a false
    # reassurance on development data: a removed tube's side got the other tube, looped
    # behind the cavity, and its spill).
    emerges = short_beside_silent and not near_spill and _starts_at(mine, near_zone, frame)
    if not near_spill and not emerges:
        return mine
    # A tube too faint to see shows no end at all: with nothing of the other side in
    # view, this short tube's spill beside the uterus may be its (two false reassurances
    # on fresh hard validation: a removed tube's side, and a blocked one, got the spill of
    # the other tube running unseen under the cavity; 10 correct calls of 600 lost).
    unseen = (
        near_spill and theirs.length_mm < tubes.TUBE_RULES.tube_min_length_mm and not theirs_spills
    )
    # A tube not traced continuously from its cornu is no surer (a third, on the next
    # fresh hard set: a removed tube's side got 86 mm of that spill's edges, joined to a
    # stub by the canal).
    not_from_cornu = mine.from_cornu_mm < tubes.TUBE_RULES.tube_min_length_mm
    if unseen and (mine.solid_length_mm < SHORT_BESIDE_HIDDEN_MM or not_from_cornu):
        return replace(mine, other_tube_unseen=True)
    rows, cols = np.indices(zone.shape)
    cr, cc = their_cornu
    away = np.hypot(rows - cr, cols - cc) * mm >= tubes.TUBE_RULES.cornu_reach_mm
    # The other tube as it is by this side's first spill; one traced only later was there,
    # too faint to trace, before (a tube fills before it spills, and stays where it is).
    upto = frame + 1 if theirs.footprint[: frame + 1].any() else len(theirs.footprint)
    for i in range(upto):
        if not theirs.footprint[i].any():
            continue
        end = _tube_end_at(theirs, i, their_cornu, mm)
        if end.size and theirs.thick_stack is not None:
            # The far end is taken short of thick contrast at it: that contrast, its end
            # widened, is its end too (a false reassurance on fresh validation: a tube
            # looping under the cavity ended, thick, at the canal, and its traced end
            # stopped 14 mm short; its spill, out of sight, came out on the other side).
            ends_in = theirs.footprint[i] & theirs.thick_stack[i]
            end = end | tubes._parts_on(ends_in, core.dilate_in_box(end, 2 * gap + 1))
            if theirs.detached:
                # Only a distal part of that tube shows, its proximal course unseen: which of
                # its ends is the fimbrial one is not known, and either may run on out of
                # sight (a false reassurance on fresh hard validation: such a part ended at
                # the canal, the spill of a removed tube's side beside it).
                end = end | (theirs.footprint[i] & ~theirs.thick_stack[i])
        if end.size and (end & near_zone & away).any():
            if emerges:
                return replace(mine, other_may_emerge=True)
            return replace(mine, other_end_hidden=True)
    return mine


def _starts_at(reading: tubes.TubeReading, zone: core.BoolArray, frame: int) -> bool:
    """The tube traced in ``frame`` touches ``zone`` (the cavity and canal zone, grown)."""
    fp, thick = reading.footprint, reading.thick_stack
    if fp is None or thick is None:
        return False
    return bool((fp[frame] & ~thick[frame] & zone).any())


def _tube_ending_at_the_other_cornu(
    readings: dict[int, tubes.TubeReading],
    cornua: dict[int, tuple[float, float]],
    mm: float,
) -> dict[int, tubes.TubeReading]:
    """Mark ``ends_at_other_cornu`` where the spill lies by this cornu and the tube ends by the
    other's.

    Spill leaves a tube at its fimbrial end (DOMAIN.md 2). A "tube" with its spill by its own
    cornu and its far end by the other cornu may be the other tube, crossing over the
    fundus, traced backwards from its end (a false reassurance on fresh hard validation: the
    left tube crossed to spill by the right cornu of a removed right tube). Both within
    ``cornu_reach_mm``, and only when the other side shows no tube of its own.
    """
    out = dict(readings)
    reach = tubes.TUBE_RULES.cornu_reach_mm
    for side, other in ((core.RIGHT, core.LEFT), (core.LEFT, core.RIGHT)):
        mine = readings[side]
        if readings[other].length_mm >= tubes.TUBE_RULES.tube_min_length_mm:
            # The other side shows its own tube: this one is not that tube seen backwards
            # (without this, 21 patent tubes lost their call in development for one fixed).
            continue
        frame, patch = mine.first_spill_frame, mine.spill_patch
        if frame is None or patch is None or not patch.any():
            continue
        rows, cols = np.nonzero(patch)
        cr, cc = cornua[side]
        spill_to_own = float(np.hypot(rows - cr, cols - cc).min()) * mm
        end = _tube_end_at(mine, frame, cornua[side], mm)
        if not end.size or not end.any():
            continue
        er, ec = np.nonzero(end)
        orow, ocol = cornua[other]
        to_other = float(np.hypot(er - orow, ec - ocol).min()) * mm
        to_own = float(np.hypot(er - cr, ec - cc).min()) * mm
        # On a small or tilted cavity the cornua lie close together, and the measure is
        # relative: spill nearer the cornu than the tube's end, which lies nearer the other
        # cornu than its own (a false reassurance on fresh hard validation: cornua 22 mm
        # apart, spill 21 mm from the cornu, the crossing tube's end 38 mm from the other
        # cornu and 43 mm from its own).
        by_cornua = spill_to_own <= reach and to_other <= reach
        if by_cornua or (spill_to_own < to_own and to_other < to_own):
            out[side] = replace(mine, ends_at_other_cornu=True)
    return out


def _spill_at_an_earlier_end(
    readings: dict[int, tubes.TubeReading],
    cornua: dict[int, tuple[float, float]],
    mm: float,
) -> dict[int, tubes.TubeReading]:
    """Mark ``spill_at_other_end`` where a tube shows only with its spill, at the other's end.

    A tube fills before it spills (DOMAIN.md 2). When nothing of this side's tube shows before
    the frame its spill appears in (nor before the other tube spilled, when it did so
    earlier; at least ``tube_min_length_mm`` of solid contrast counts as showing), while the
    other tube filled in an earlier frame and its
    far end lies at that spill (within :data:`OTHER_END_MM`), the spill may have come from
    the other tube and this side's "tube" be its streaks. A false reassurance on fresh hard
    validation: a tube ending below the cavity spilled across the midline, beside the cornu
    of a removed tube, and the missing tube was called patent.
    """
    out = dict(readings)
    for side, other in ((core.RIGHT, core.LEFT), (core.LEFT, core.RIGHT)):
        mine, theirs = readings[side], readings[other]
        frame = mine.first_spill_frame
        if frame is None or mine.spill_shared:
            continue
        # This tube shows (by solid contrast) before its spill does, and before the other
        # tube had spilled: the spill is not in doubt. (Its first showing after the other's
        # spill, a frame before its own, left a false reassurance on fresh validation: the
        # other tube, passing under the cavity, spilled by a blocked tube's cornu.)
        shown = _first_solid_tube_frame(mine)
        by = frame if theirs.first_spill_frame is None else min(frame, theirs.first_spill_frame)
        if shown is not None and shown < by:
            continue
        if theirs.first_tube_frame is None:
            continue
        # The other tube too faint to trace while it filled may show only later, its far end
        # at this spill: it may still be that tube's.
        upto = frame if theirs.first_tube_frame < frame else len(mine.thick_area_mm2) - 1
        if _other_end_at(mine, theirs, upto, cornua[other], mm):
            out[side] = replace(mine, spill_at_other_end=True)
    return out


def _first_solid_tube_frame(reading: tubes.TubeReading) -> int | None:
    """First frame whose traced tube has at least ``tube_min_length_mm`` of solid contrast."""
    least = tubes.TUBE_RULES.tube_min_length_mm
    return next((i for i, v in enumerate(reading.solid_lengths_mm) if v >= least), None)


LATE_SPILL_FRACTION = 0.2
"""Spill first seen after the other side's and smaller than this fraction of it may be that
spill spreading across."""

LATE_SPILL_FRACTION_DETACHED = 1.0 / 3.0
"""The same, for a tube seen only in its distal part (not continuous with its cornu): the
tube itself is weaker evidence, so its late spill must be larger to count as its own (a
false reassurance on a development set: a blocked tube's distal part, with 0.21 of the other
side's spill in the last frame only)."""


def _small_late_spill(mine: tubes.TubeReading, theirs: tubes.TubeReading) -> bool:
    """This side's spill shows only after the other side's and stays under
    :data:`LATE_SPILL_FRACTION` of it (:data:`LATE_SPILL_FRACTION_DETACHED` for a tube seen
    only in its distal part)."""
    frame, their_frame = mine.first_spill_frame, theirs.first_spill_frame
    if frame is None or their_frame is None or their_frame >= frame:
        return False
    theirs_area = max(theirs.thick_area_mm2, default=0.0)
    if theirs_area < tubes.TUBE_RULES.spill_min_area_mm2:
        return False
    fraction = LATE_SPILL_FRACTION_DETACHED if mine.detached else LATE_SPILL_FRACTION
    return max(mine.thick_area_mm2, default=0.0) < fraction * theirs_area


def _held_while_other_spreads(mine: tubes.TubeReading, theirs: tubes.TubeReading) -> bool:
    """This side's contrast beyond the tube is one collection, long along its course, that
    stops growing into the last frame while the other side's spill still spreads.

    Free spill spreads through the peritoneum while contrast is still being injected (the
    issue's time reasoning, DOMAIN.md 2), and the other side's spill spreading shows that it
    still is; a dilated, blocked ampulla fills and then holds its size (a hydrosalpinx curled
    on itself, at 0.47 of the cavity's contrast, read as a film of free spill on a fresh
    validation set). The shape test is :attr:`tubes.TubeRules.spill_min_growth`'s, applied to
    the last two frames rather than the whole series.
    """
    rules = tubes.TUBE_RULES
    a, b = mine.thick_area_mm2, theirs.thick_area_mm2
    if len(a) < 2 or len(b) < 2 or mine.components != 1:
        return False
    if min(a[-2], a[-1], b[-2]) < rules.spill_min_area_mm2:
        return False
    if max(mine.elongation, mine.course_elongation) < HELD_MIN_ELONGATION:
        return False
    return a[-1] < rules.spill_min_growth * a[-2] and b[-1] >= rules.far_spill_min_growth * b[-2]


HELD_MIN_ELONGATION = 2.0
"""A held collection at least this long along its course or its ellipse is tube-shaped, not a
round pool (the value :func:`tubes.decide_tube` uses for one held collection)."""


def _other_sides_spill_at_end(
    readings: dict[int, tubes.TubeReading], side: int, sides: core.Sides, mm: float
) -> bool:
    """Thick contrast attributed to the other side lies at this side's traced far end, and
    not at the other tube's far end, in some frame.

    Contrast is given to a side by what it connects to, so spill leaving this tube's end and
    running on into the other side's contrast (a tube passing by it) is counted as that
    side's; spill leaves a tube at its fimbrial end (DOMAIN.md 2), and this tube's end is
    where it lies (validation: a patent tube hooked back over the fundus, whose spill by the
    other tube's course was read as the other side's, and the tube called blocked).
    """
    mine = readings[side]
    other = core.LEFT if side == core.RIGHT else core.RIGHT
    theirs = readings[other]
    if mine.footprint is None or theirs.thick_stack is None:
        return False
    source = max(1, round(tubes.TUBE_RULES.attach_mm / mm))
    near_other = max(1, round(OTHER_END_MM / mm))
    for i in range(mine.footprint.shape[0]):
        their_thick = theirs.thick_stack[i]
        if not mine.footprint[i].any() or not their_thick.any():
            continue
        end = _tube_end_at(mine, i, sides.cornua[side], mm)
        if not end.any():
            continue
        parts, _count = ndi.label(their_thick)
        touched = np.unique(parts[core.dilate_in_box(end, source) & their_thick])
        touched = touched[touched > 0]
        if not touched.size:
            continue
        region = np.isin(parts, touched)
        if float(region.sum()) * mm * mm < tubes.TUBE_RULES.spill_min_area_mm2:
            continue
        their_end = _tube_end_at(theirs, i, sides.cornua[other], mm)
        if their_end.size and (core.dilate_in_box(their_end, near_other) & region).any():
            continue
        return True
    return False


def _end_hidden_by_spill(
    readings: dict[int, tubes.TubeReading], side: int, sides: core.Sides, mm: float
) -> bool:
    """This side's tube runs out of sight into the cavity and canal zone, where thick contrast
    (spill) touches that zone: a blocked tube is not shown, as its spill may lie hidden there.

    The mirror of :func:`_spill_by_a_hidden_end`: a tube passing under the cavity and ending
    by the canal was called blocked beside the spill that had come from it (seen on
    validation). Its far end must lie well away from its cornu (``cornu_reach_mm``).
    """
    mine = readings[side]
    if mine.footprint is None:
        return False
    near_zone = core.dilate_in_box(sides.exclusion, max(1, round(HIDDEN_END_MM / mm)))
    rows, cols = np.indices(near_zone.shape)
    cr, cc = sides.cornua[side]
    away = np.hypot(rows - cr, cols - cc) * mm >= tubes.TUBE_RULES.cornu_reach_mm
    hidden = False
    for i in range(mine.footprint.shape[0]):
        if not mine.footprint[i].any():
            continue
        end = _tube_end_at(mine, i, sides.cornua[side], mm)
        if end.size and (end & near_zone & away).any():
            hidden = True
            break
    if not hidden:
        return False
    stacks = [r.thick_stack for r in readings.values() if r.thick_stack is not None]
    return any(bool((stack & near_zone[None]).any()) for stack in stacks)


def _contested_spill(
    readings: dict[int, tubes.TubeReading],
    extra: core.BoolArray,
    *,
    cornua: dict[int, tuple[float, float]] | None = None,
    mm: float = 1.0,
) -> dict[int, tubes.TubeReading]:
    """Keep ``spill_shared`` only where the other side's contrast could have been the source.

    Contrast that runs on into the other side's from its first appearance is doubtful only if
    the other side had spilled by then (spill that appears on one side first is that side's),
    and only if what it runs into is the other tube or the contrast at the other tube's end:
    spill that merely crosses the midline is still this tube's. With ``cornua``, contrast
    that both sides reach is still this tube's when it leaves this tube's far end and lies
    well away from the other's: spill leaves a tube at its fimbrial end (DOMAIN.md 2), and a
    tube passing by with its end elsewhere is not its source.
    """
    out = dict(readings)
    for side, other in ((core.RIGHT, core.LEFT), (core.LEFT, core.RIGHT)):
        mine, theirs = readings[side].first_spill_frame, readings[other].first_spill_frame
        if not readings[side].spill_shared:
            continue
        if mine is None or theirs is None or theirs > mine:
            # Spill that appears on one side first is that side's, unless the other side
            # never spills and its tube ends at it: a tube whose end is hidden by the cavity
            # or canal shows no spill of its own, and its spill was given to a blocked tube
            # beside it (a false reassurance in validation: a hydrosalpinx next to the other
            # tube's spill below the cavity).
            if (
                mine is None
                or theirs is not None
                or cornua is None
                or not _other_end_at(readings[side], readings[other], mine, cornua[other], mm)
            ):
                out[side] = replace(readings[side], spill_shared=False)
            continue
        patch, own_fp = readings[side].spill_patch, readings[side].footprint
        their_fp = readings[other].footprint
        if patch is None or own_fp is None or their_fp is None:
            continue
        parts, _count = ndi.label(extra[mine])
        touched = np.unique(parts[core.dilate_in_box(patch, 2) & extra[mine]])
        region = np.isin(parts, touched[touched > 0])
        if not (region & their_fp[mine] & ~own_fp[mine]).any():
            out[side] = replace(readings[side], spill_shared=False)
            continue
        if cornua is None:
            continue
        my_end = _tube_end_at(readings[side], mine, cornua[side], mm)
        their_end = _tube_end_at(readings[other], mine, cornua[other], mm)
        if not my_end.any() or not their_end.any():
            continue
        # The spill itself is the thick contrast: a tube running along it (or through it)
        # does not bring that tube's end any nearer.
        thick_mine, thick_theirs = readings[side].thick_stack, readings[other].thick_stack
        if thick_mine is None or thick_theirs is None:
            continue
        cloud = region & (thick_mine[mine] | thick_theirs[mine])
        at_mine = (core.dilate_in_box(my_end, max(1, round(SOURCE_END_MM / mm))) & patch).any()
        near_theirs = core.dilate_in_box(their_end, max(1, round(OTHER_END_MM / mm)))
        if at_mine and not (near_theirs & cloud).any():
            out[side] = replace(readings[side], spill_shared=False)
    return out


def _clear_of_other_side(
    readings: dict[int, tubes.TubeReading],
    mm: float,
    by_cavity: core.BoolArray | None = None,
    clearance_mm: float = 5.0,
) -> dict[int, tubes.TubeReading]:
    """Mark the tubes that keep clear of the other side until they spill.

    A tube is clear when nothing of the other tube, nor the contrast at its end, comes
    within ``clearance_mm`` of it or of the contrast at its own end, in every frame up to
    and including its first spill. Then a distal part seen without its proximal tube (the
    isthmus too thin to show) cannot be the other tube's loop or spill lying in streaks,
    and contrast leaving a horn tip shared by both sides is this side's. Contact within
    ``by_cavity`` (the cavity's rim) does not count: both tubes leave the cavity, and specks
    of each along the fundal edge meet between the cornua (seen in validation). Whether the
    other side shows any tube at all is recorded too: if not, keeping clear of it proves
    little.
    """
    out = dict(readings)
    reach = max(1, round(clearance_mm / mm))
    for side, other in ((core.RIGHT, core.LEFT), (core.LEFT, core.RIGHT)):
        r = readings[side]
        mine, theirs = r.footprint, readings[other].footprint
        theirs_first = readings[other].first_spill_frame
        if r.first_spill_frame is None or mine is None or theirs is None:
            out[side] = replace(r, other_spilled=theirs_first is not None)
            continue
        away = ~by_cavity if by_cavity is not None else np.ones(mine.shape[1:], dtype=bool)
        clear = all(
            not (mine[i] & away & core.dilate_in_box(theirs[i], reach)).any()
            for i in range(r.first_spill_frame + 1)
            if mine[i].any() and theirs[i].any()
        )
        seen = readings[other].length_mm >= tubes.TUBE_RULES.short_tube_min_mm
        first = theirs_first is not None and theirs_first < r.first_spill_frame
        out[side] = replace(
            r,
            clear_of_other_side=clear,
            other_tube_seen=seen,
            other_spilled_first=first,
            other_spilled=theirs_first is not None,
        )
    return out


@dataclass(frozen=True)
class _Unexplained:
    """Thick contrast on a side away from both tubes and their ends (see `_unexplained`)."""

    area_mm2: float
    growth: float
    far_mm: float
    median_z: float = 0.0


def _unexplained(
    readings: dict[int, tubes.TubeReading],
    side: int,
    mm: float,
    z: core.FloatArray | None = None,
    other_mm: float = 10.0,
    own_mm: float = 3.0,
) -> _Unexplained:
    """Thick contrast on ``side`` away from both tubes and their ends.

    Away means beyond ``other_mm`` of the other tube's footprint (its spill spreads from
    there) and ``own_mm`` of this tube's. Measured: the largest such area in any frame; its
    growth, the area in the last frame over that in the last frame before it that shows any
    (1 when only the last frame shows it, 0 when the last does not: spill grows to the end,
    a dilated tube fills and holds); and, in the first frame it shows, its distance from the
    other tube and the contrast at its end (0 when the other side shows nothing then).
    """
    r, o = readings[side], readings[core.LEFT if side == core.RIGHT else core.RIGHT]
    if r.thick_stack is None:
        return _Unexplained(0.0, 0.0, 0.0)
    areas: list[int] = []
    far = 0.0
    median_z, largest = 0.0, 0
    for i in range(r.thick_stack.shape[0]):
        thick = r.thick_stack[i]
        if not thick.any():
            areas.append(0)
            continue
        away = thick.copy()
        for fp, reach_mm in ((o.footprint, other_mm), (r.footprint, own_mm)):
            if fp is not None and fp[i].any():
                away &= ~core.dilate_in_box(fp[i], max(1, round(reach_mm / mm)))
        areas.append(int(away.sum()))
        if z is not None and areas[-1] > largest:
            largest, median_z = areas[-1], float(np.median(z[i][away]))
        first = sum(a > 0 for a in areas) == 1 and areas[-1] > 0
        if first and o.footprint is not None and o.footprint[i].any():
            far = float(ndi.distance_transform_edt(~o.footprint[i])[away].min()) * mm
    shown = [a for a in areas[:-1] if a > 0]
    growth = areas[-1] / shown[-1] if shown and areas[-1] > 0 else float(bool(areas[-1]))
    return _Unexplained(max(areas, default=0) * mm * mm, growth, far, median_z)


NET_OPEN_SHARE = 0.3
"""Washout is read on the part of the network left uncovered in the last frame when at least
this share of it is."""


def _intravasation(
    maps: core.ContrastMaps, cavity: core.Cavity, sides: core.Sides, mm: float
) -> IntravasationFinding:
    n = maps.mask.shape[0]
    early = [i for i in range(cavity.first_index, min(n, cavity.full_index + 2))]
    near = core.dilate_in_box(cavity.union, max(1, round(25.0 / mm)))
    branches = free = 0
    net = np.zeros_like(near)
    net_frame = early[0] if early else 0
    cross = ndi.generate_binary_structure(2, 1)
    for i in early:
        m = sides.extra[i] & near
        # The skeleton and its end-point count are local: compute them in the mask's box (a
        # margin of two keeps the skeleton's 3x3 neighbourhood count off the box edge).
        box = core.bounding_box(m, 2)
        if box is None:
            continue
        body = core.open_where_it_fits(m, cross, max(1, round(1.5 / mm)))
        thin = m & ~body
        b = core.skeleton_branches(thin[box])
        if b > branches:
            branches, net, net_frame = b, thin, i
        # Slivers along a tube's edge touch the tube; a network's threads stand free.
        pieces, _count = ndi.label(thin[box], structure=np.ones((3, 3), dtype=bool))
        touching = np.unique(pieces[core.dilate_in_box(body[box], 1) & thin[box]])
        standing = thin[box] & ~np.isin(pieces, touching[touching > 0])
        free = max(free, core.skeleton_branches(standing))
    # Two tubes leave the cornua: up to four end points are theirs.
    branches = max(0, branches - 4)
    free = max(0, free - 4)
    area = float(net.sum()) * mm * mm
    if not net.any():
        return decide.decide_intravasation(0, 0.0, 0.0)
    # Washout is measured on the contrast itself: a dense network that drains to a third still
    # shows above the noise in the last frame, yet it has washed out.
    # Where wider contrast (a tube, spill) lies over the network in the last frame, what shows
    # there is that contrast, not the network's: the washout is read on the rest.
    covered = core.open_where_it_fits(sides.extra[n - 1], cross, max(1, round(1.5 / mm)))
    open_net = net & ~core.dilate_in_box(covered, 1)
    if open_net.sum() >= NET_OPEN_SHARE * net.sum():
        net = open_net
    seen = float(np.median(maps.z[net_frame][net]))
    left = float(np.median(maps.z[n - 1][net]))
    washout = 1.0 - max(0.0, left) / seen if seen > 0 else 0.0
    return decide.decide_intravasation(branches, washout, area, free_branches=free)


def group_by_study(frames: list[Frame]) -> dict[str, list[Frame]]:
    """Frames grouped by StudyInstanceUID, each group keeping the time order."""
    groups: dict[str, list[Frame]] = {}
    for fr in frames:
        groups.setdefault(fr.study_instance_uid, []).append(fr)
    return groups


def analyze_series(read: SeriesRead) -> list[StudyAnalysis]:
    """Analyse everything :func:`read_series` returned, one result per study."""
    errors = [AnalysisError(str(p), reason) for p, reason in read.errors]
    skipped = [AnalysisError(str(p), reason) for p, reason in read.skipped]
    groups = group_by_study(read.frames)
    if not groups:
        reason = "no image frames could be read"
        f = _empty_findings("", reason, list(read.warnings), errors, 0)
        return [StudyAnalysis(replace_skipped(f, tuple(skipped)), [])]
    out = []
    for frames in groups.values():
        warns = list(dict.fromkeys(w for fr in frames for w in fr.warnings))
        out.append(analyze_frames(frames, warnings=warns, errors=errors, skipped=skipped))
    return out


def analyze_paths(paths: Iterable[str | Path]) -> list[StudyAnalysis]:
    """Read files (DICOM) and analyse each study found in them.

    Parameters
    ----------
    paths
        Files; folders are searched recursively.
    """
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files.extend(sorted(q for q in p.rglob("*") if q.is_file()))
        else:
            files.append(p)
    return analyze_series(read_series(files))
