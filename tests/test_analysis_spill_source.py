"""Whose spill is it: contrast at a tube's end, near its cornu, or running into the other side."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from openhsg.analysis.core import LEFT, RIGHT, Sides
from openhsg.analysis.pipeline import (
    _clear_of_other_side,
    _contested_spill,
    _end_hidden_by_spill,
    _first_solid_tube_frame,
    _read_side_in_box,
    _small_late_spill,
    _spill_at_an_earlier_end,
    _spill_by_a_hidden_end,
)
from openhsg.analysis.tubes import TubeReading, read_side

MM = 0.5
SHAPE = (200, 200)
CORNU = (100, 80)  # the patient's right cornu; the cavity lies to its right


def _loop_tube() -> np.ndarray:
    """A right tube that runs out from its cornu, up, and back towards the cornu."""
    tube = np.zeros(SHAPE, dtype=bool)
    tube[99:102, 30:78] = True  # out along row 100
    tube[50:102, 29:32] = True  # up
    tube[49:52, 29:61] = True  # back towards the cornu, ending at column 60
    return tube


def _ellipse(centre: tuple[int, int], semi_rows: int, semi_cols: int) -> np.ndarray:
    rows, cols = np.indices(SHAPE)
    return ((rows - centre[0]) / semi_rows) ** 2 + ((cols - centre[1]) / semi_cols) ** 2 <= 1.0


def _sides(frames: list[np.ndarray]) -> tuple[Sides, np.ndarray]:
    labels = np.full(SHAPE, RIGHT, dtype=np.int32)
    labels[:, 100:] = LEFT
    z = np.stack([np.where(f, 8.0, 0.0) for f in frames]).astype(np.float32)
    extra = z > 3.0
    exclusion = np.zeros(SHAPE, dtype=bool)
    exclusion[95:150, 86:114] = True
    sides = Sides(labels, extra, 100.0, {RIGHT: CORNU, LEFT: (100.0, 120.0)}, exclusion)
    return sides, z


def test_spill_at_the_end_of_a_tube_looping_back_to_its_cornu_is_spill() -> None:
    # The spill spreads from the tube's end down past the cornu and well beyond it.
    tube = _loop_tube()
    spread = _ellipse((66, 72), 28, 12)
    scout = np.zeros(SHAPE, dtype=bool)
    sides, z = _sides([scout, tube, tube | spread])
    reading = read_side(sides, z, RIGHT, MM)
    assert reading.thick_area_mm2[1] == 0.0
    assert reading.thick_area_mm2[2] > 200.0
    assert reading.first_spill_frame == 2


def test_spill_begins_where_it_persists_not_at_a_passing_blob() -> None:
    # A blob at the tube's end in one frame, gone in the next, then spill that stays: the
    # blob is not where the spill began (the safety rules compare that frame with the
    # cavity's first filling and the other side's contrast).
    tube = _loop_tube()
    blob = _ellipse((50, 66), 8, 8)
    spread = _ellipse((66, 72), 28, 12)
    scout = np.zeros(SHAPE, dtype=bool)
    sides, z = _sides([scout, tube | blob, tube, tube | spread, tube | spread])
    reading = read_side(sides, z, RIGHT, MM)
    assert reading.thick_area_mm2[1] > 40.0
    assert reading.thick_area_mm2[2] == 0.0
    assert reading.first_spill_frame == 3


def test_spill_covering_the_end_of_the_tube_seen_before_is_at_its_end() -> None:
    # Frame 1 shows the whole tube; in frame 2 only its first part shows and spill lies where
    # its end was, far from the end of what is visible now.
    tube = _loop_tube()
    first_part = np.zeros(SHAPE, dtype=bool)
    first_part[99:102, 30:78] = True
    spill = _ellipse((50, 62), 14, 14)
    scout = np.zeros(SHAPE, dtype=bool)
    sides, z = _sides([scout, tube, first_part | spill])
    reading = read_side(sides, z, RIGHT, MM)
    assert reading.thick_area_mm2[2] > 100.0
    assert reading.first_spill_frame == 2


def test_spill_at_the_end_of_a_tube_that_has_faded_is_at_its_end() -> None:
    # Frame 1 shows the whole tube; in frame 2 it has faded to a stub by the cornu (low dose,
    # contrast moving on) and spill lies where its end was. The tube is still there.
    tube = _loop_tube()
    stub = np.zeros(SHAPE, dtype=bool)
    stub[99:102, 60:78] = True  # 9 mm: too short to be read as a tube on its own
    spill = _ellipse((50, 62), 14, 14)
    scout = np.zeros(SHAPE, dtype=bool)
    sides, z = _sides([scout, tube, stub | spill])
    reading = read_side(sides, z, RIGHT, MM)
    assert reading.thick_area_mm2[1] == 0.0
    assert reading.thick_area_mm2[2] > 100.0
    assert reading.first_spill_frame == 2


def test_a_compact_pool_by_the_cornu_is_not_spill_at_the_end_of_a_short_tube() -> None:
    # A short tube (15 mm) with a small collection by the cornu: contrast pooled at the
    # cornu, not spill from a tube too short to have turned back.
    tube = np.zeros(SHAPE, dtype=bool)
    tube[99:102, 48:78] = True
    pool = _ellipse((88, 70), 9, 9)
    scout = np.zeros(SHAPE, dtype=bool)
    sides, z = _sides([scout, tube, tube | pool])
    reading = read_side(sides, z, RIGHT, MM)
    assert reading.lengths_mm[2] > 10.0
    assert max(reading.thick_area_mm2) == 0.0


def test_a_tube_coiling_back_to_end_by_its_cornu_spills_there() -> None:
    # Validation: tubes that run out, turn and end by their own cornu, with a collection of
    # spill at that end, were left indeterminate ("beside the tube, not at its end").
    tube = _loop_tube()
    tube[49:80, 58:61] = True  # the end turns down to near the cornu
    spill = _ellipse((86, 66), 10, 10)
    scout = np.zeros(SHAPE, dtype=bool)
    sides, z = _sides([scout, tube, tube | spill])
    reading = read_side(sides, z, RIGHT, MM)
    assert reading.thick_area_mm2[1] == 0.0
    assert reading.thick_area_mm2[2] > 60.0
    assert reading.beside_area_mm2 == 0.0


def _reading(first_spill: int, footprint: np.ndarray, patch: np.ndarray) -> TubeReading:
    n = footprint.shape[0]
    return TubeReading(
        length_mm=90.0,
        tube_frame=1,
        lengths_mm=(0.0,) + (90.0,) * (n - 1),
        solid_length_mm=90.0,
        thick_area_mm2=(0.0,) * n,
        cornual_area_mm2=0.0,
        max_width_mm=15.0,
        dense_fraction=0.3,
        elongation=1.2,
        components=1,
        growth=2.0,
        first_tube_frame=1,
        first_spill_frame=first_spill,
        spill_shared=True,
        footprint=footprint,
        spill_patch=patch,
    )


def test_spill_that_only_crosses_the_midline_stays_this_tubes() -> None:
    # Right spill reaching over the midline into contrast the side map calls left, but not
    # into the left tube or its spill: it is still the right tube's.
    right_patch = np.zeros(SHAPE, dtype=bool)
    right_patch[150:170, 80:110] = True
    left_tube = np.zeros(SHAPE, dtype=bool)
    left_tube[99:102, 122:190] = True
    left_spill = _ellipse((60, 180), 10, 10)
    extra = np.zeros((3, *SHAPE), dtype=bool)
    extra[2] = right_patch | left_tube | left_spill
    right_fp = np.zeros_like(extra)
    right_fp[2] = right_patch
    left_fp = np.zeros_like(extra)
    left_fp[2] = left_tube | left_spill
    readings = {
        RIGHT: _reading(2, right_fp, right_patch),
        LEFT: replace(_reading(2, left_fp, left_spill), spill_shared=False),
    }
    assert not _contested_spill(readings, extra)[RIGHT].spill_shared
    # The same patch running on into the left tube's spill is doubtful.
    bridge = np.zeros(SHAPE, dtype=bool)
    bridge[60:170, 105:112] = True
    bridge[57:64, 105:175] = True
    extra[2] |= bridge
    assert _contested_spill(readings, extra)[RIGHT].spill_shared
    # ... unless the left tube spilled only later: then the spill started on the right.
    later = {RIGHT: readings[RIGHT], LEFT: replace(readings[LEFT], first_spill_frame=3)}
    assert not _contested_spill(later, extra)[RIGHT].spill_shared


def test_a_tube_is_clear_of_the_other_side_only_if_they_never_meet_before_it_spills() -> None:
    right_tube = np.zeros(SHAPE, dtype=bool)
    right_tube[100, 20:80] = True
    left_tube = np.zeros(SHAPE, dtype=bool)
    left_tube[100, 120:180] = True
    right_fp = np.zeros((4, *SHAPE), dtype=bool)
    left_fp = np.zeros((4, *SHAPE), dtype=bool)
    right_fp[1:] = right_tube
    left_fp[1:] = left_tube
    readings = {
        RIGHT: replace(_reading(2, right_fp, right_tube), spill_shared=False),
        LEFT: replace(_reading(2, left_fp, left_tube), spill_shared=False),
    }
    out = _clear_of_other_side(readings, MM)
    assert out[RIGHT].clear_of_other_side and out[LEFT].clear_of_other_side
    # The left tube's loop comes within 2 mm of the right tube in frame 2.
    left_fp[2, 96:99, 60:120] = True
    out = _clear_of_other_side(readings, MM)
    assert not out[RIGHT].clear_of_other_side and not out[LEFT].clear_of_other_side
    # Meeting only after the right tube spilled (in frame 1 here) leaves it clear.
    later = replace(readings[RIGHT], first_spill_frame=1)
    out = _clear_of_other_side({RIGHT: later, LEFT: readings[LEFT]}, MM)
    assert out[RIGHT].clear_of_other_side


def test_specks_of_both_tubes_meeting_on_the_cavity_rim_do_not_part_a_tube_from_its_spill() -> None:
    right_fp = np.zeros((3, *SHAPE), dtype=bool)
    left_fp = np.zeros((3, *SHAPE), dtype=bool)
    right_fp[1:, 100, 20:80] = True
    left_fp[1:, 100, 120:180] = True
    # Along the fundal edge between the cornua, each side's column reaches 1 mm apart.
    right_fp[2, 90, 80:98] = True
    left_fp[2, 90, 100:120] = True
    readings = {
        RIGHT: replace(_reading(2, right_fp, right_fp[2]), spill_shared=False),
        LEFT: replace(_reading(2, left_fp, left_fp[2]), spill_shared=False),
    }
    rim = np.zeros(SHAPE, dtype=bool)
    rim[86:95, 78:122] = True
    assert not _clear_of_other_side(readings, MM)[RIGHT].clear_of_other_side
    out = _clear_of_other_side(readings, MM, by_cavity=rim)
    assert out[RIGHT].clear_of_other_side and out[LEFT].clear_of_other_side
    # Meeting away from the cavity still counts.
    left_fp[2, 103:105, 40:78] = True
    assert not _clear_of_other_side(readings, MM, by_cavity=rim)[RIGHT].clear_of_other_side


def test_unexplained_contrast_is_what_lies_away_from_both_tubes() -> None:
    from openhsg.analysis.pipeline import _unexplained

    blob = _ellipse((60, 40), 10, 10)  # about 78 mm2 at 0.5 mm
    thick = np.zeros((4, *SHAPE), dtype=bool)
    thick[2] = blob
    thick[3] = _ellipse((60, 40), 14, 14)  # spreading: twice the area in the last frame
    empty = np.zeros((4, *SHAPE), dtype=bool)
    right = replace(_reading(2, empty, blob), thick_stack=thick)
    left_fp = np.zeros((4, *SHAPE), dtype=bool)
    left_fp[2:, 100, 120:190] = True  # the other tube, about 40 mm away at its nearest
    left = _reading(2, left_fp, blob)
    away = _unexplained({RIGHT: right, LEFT: left}, RIGHT, MM)
    assert abs(away.area_mm2 - float(thick[3].sum()) * MM * MM) < 1e-6
    assert abs(away.growth - thick[3].sum() / blob.sum()) < 1e-6
    assert 35 < away.far_mm < 45
    # Holding its size into the last frame: no growth.
    held = replace(right, thick_stack=np.stack([empty[0], empty[0], blob, blob]))
    assert _unexplained({RIGHT: held, LEFT: left}, RIGHT, MM).growth == 1.0
    # The other tube's footprint reaching the blob explains it.
    left_fp[2:, 60, 45:120] = True
    assert _unexplained({RIGHT: right, LEFT: left}, RIGHT, MM).area_mm2 < 0.5 * away.area_mm2


def test_whether_the_other_tube_spilled_is_known_to_a_tube_without_spill() -> None:
    empty = np.zeros((3, *SHAPE), dtype=bool)
    fp = np.zeros((3, *SHAPE), dtype=bool)
    fp[1:, 100, 120:190] = True
    spilled = _reading(1, fp, fp[2])
    dry = replace(_reading(1, empty, empty[0]), first_spill_frame=None)
    out = _clear_of_other_side({RIGHT: dry, LEFT: spilled}, MM)
    assert out[RIGHT].other_spilled and not out[LEFT].other_spilled


def _bar(r0: int, c0: int, r1: int, c1: int) -> np.ndarray:
    """A 2-pixel-wide straight tube between two points on one row or column."""
    out = np.zeros(SHAPE, dtype=bool)
    out[min(r0, r1) : max(r0, r1) + 2, min(c0, c1) : max(c0, c1) + 2] = True
    return out


def test_shared_spill_is_the_tube_whose_end_it_leaves() -> None:
    # The left tube loops up and back, its end in a cloud of spill that spreads over the
    # midline; the right tube ends 12 mm short of the cloud, near enough for its reading to
    # take the cloud's right half as its own spill.
    left = _bar(100, 120, 100, 180) | _bar(45, 180, 100, 180) | _bar(45, 118, 45, 180)
    right = _bar(100, 10, 100, 80) | _bar(45, 10, 100, 10) | _bar(45, 10, 45, 21)
    cloud = _ellipse((45, 80), 14, 35)
    scout = np.zeros(SHAPE, dtype=bool)
    sides, z = _sides([scout, left | right, left | right, left | right | cloud])
    readings = {s: _read_side_in_box(sides, z, s, MM) for s in (RIGHT, LEFT)}
    assert readings[LEFT].spill_shared and readings[RIGHT].spill_shared
    # Without the tubes' ends, the cloud runs into both: neither may have it.
    plain = _contested_spill(readings, sides.extra)
    assert plain[LEFT].spill_shared and plain[RIGHT].spill_shared
    # Spill leaves a tube at its end: the cloud is the left tube's; the right's end stays
    # doubtful.
    out = _contested_spill(readings, sides.extra, cornua=sides.cornua, mm=MM)
    assert not out[LEFT].spill_shared
    assert out[RIGHT].spill_shared


def test_shared_spill_stays_doubtful_when_both_tubes_end_in_it() -> None:
    # The right tube now ends inside the cloud too: it may be the right tube's spill running
    # by the left tube's (blocked) end.
    left = _bar(100, 120, 100, 180) | _bar(45, 180, 100, 180) | _bar(45, 118, 45, 180)
    right = _bar(100, 30, 100, 80) | _bar(30, 30, 100, 30) | _bar(30, 30, 30, 48)
    cloud = _ellipse((45, 80), 14, 35)
    scout = np.zeros(SHAPE, dtype=bool)
    sides, z = _sides([scout, left | right, left | right, left | right | cloud])
    readings = {s: _read_side_in_box(sides, z, s, MM) for s in (RIGHT, LEFT)}
    out = _contested_spill(readings, sides.extra, cornua=sides.cornua, mm=MM)
    assert out[LEFT].spill_shared and out[RIGHT].spill_shared


def test_spill_at_the_end_of_a_tube_without_spill_of_its_own_stays_doubtful() -> None:
    # Validation (a false reassurance): the right tube's end lies at a cloud of spill across
    # the midline; all of it fell to the left, whose blocked tube ends at its other edge. The
    # right side then had no spill of its own, so "spill seen on one side first is that
    # side's" gave it to the left tube.
    left = _bar(100, 120, 100, 180) | _bar(45, 180, 100, 180) | _bar(45, 132, 45, 180)
    right = _bar(100, 30, 100, 80) | _bar(45, 30, 100, 30) | _bar(45, 30, 45, 98)
    cloud = _ellipse((45, 116), 12, 16)
    scout = np.zeros(SHAPE, dtype=bool)
    sides, z = _sides([scout, left | right, left | right, left | right | cloud])
    readings = {s: _read_side_in_box(sides, z, s, MM) for s in (RIGHT, LEFT)}
    assert readings[RIGHT].first_spill_frame is None
    assert readings[LEFT].first_spill_frame == 3 and readings[LEFT].spill_shared
    # Without the tubes' ends the old rule applies: the cloud is the left tube's.
    assert not _contested_spill(readings, sides.extra)[LEFT].spill_shared
    out = _contested_spill(readings, sides.extra, cornua=sides.cornua, mm=MM)
    assert out[LEFT].spill_shared


def _tube_under_the_cavity(end_col: int) -> np.ndarray:
    """A left tube that runs out from its cornu, down, and back under the cavity and canal."""
    tube = np.zeros(SHAPE, dtype=bool)
    tube[99:102, 122:162] = True  # out along row 100
    tube[99:153, 159:162] = True  # down
    tube[150:153, end_col:162] = True  # back towards the midline, ending at ``end_col``
    return tube


def test_a_blocked_tube_ending_out_of_sight_by_spill_is_not_shown_blocked() -> None:
    # The left tube passes under the cavity and its end disappears by the canal, where spill
    # lies (it came out on the right side of the canal): its occlusion is not shown.
    spill = _ellipse((120, 78), 12, 12)  # on the right, touching the canal zone
    tube = _tube_under_the_cavity(116)
    scout = np.zeros(SHAPE, dtype=bool)
    sides, z = _sides([scout, tube, tube | spill])
    readings = {s: read_side(sides, z, s, MM) for s in (RIGHT, LEFT)}
    assert _end_hidden_by_spill(readings, LEFT, sides, MM)
    # No spill by the zone: nothing hides the blocked tube's end.
    sides, z = _sides([scout, tube, tube])
    readings = {s: read_side(sides, z, s, MM) for s in (RIGHT, LEFT)}
    assert not _end_hidden_by_spill(readings, LEFT, sides, MM)
    # A tube that ends in view, well out from the zone, is not hidden by the spill.
    tube = _tube_under_the_cavity(140)
    sides, z = _sides([scout, tube, tube | spill])
    readings = {s: read_side(sides, z, s, MM) for s in (RIGHT, LEFT)}
    assert not _end_hidden_by_spill(readings, LEFT, sides, MM)


def test_spill_near_the_cavity_may_come_from_a_tube_hidden_behind_it() -> None:
    # Fresh validation (a false reassurance): the left tube runs under the cavity and out of
    # sight, with no spill of its own anywhere; spill came out on the right, beside the
    # cavity (here 5 mm from the cavity and canal zone), and a short right "tube" reached it.
    right = np.zeros(SHAPE, dtype=bool)
    right[99:102, 62:80] = True  # out from the cornu
    right[99:140, 62:65] = True  # and down beside the cavity
    spill = _ellipse((150, 66), 10, 10)
    left = _tube_under_the_cavity(116)
    scout = np.zeros(SHAPE, dtype=bool)
    sides, z = _sides([scout, left | right, left | right | spill])
    readings = {s: read_side(sides, z, s, MM) for s in (RIGHT, LEFT)}
    assert readings[RIGHT].first_spill_frame == 2
    assert max(readings[LEFT].thick_area_mm2) == 0.0
    out = _spill_by_a_hidden_end(readings, sides.exclusion, sides.cornua, MM)
    assert out[RIGHT].other_end_hidden
    # When the hidden tube shows spill of its own elsewhere, only spill touching the zone is
    # in doubt: this spill, 5 mm off, stays the right tube's.
    own = _ellipse((40, 170), 12, 12)
    left_spilling = left | _bar(40, 160, 100, 162)
    sides, z = _sides([scout, left_spilling | right, left_spilling | right | spill | own])
    readings = {s: read_side(sides, z, s, MM) for s in (RIGHT, LEFT)}
    assert max(readings[LEFT].thick_area_mm2) > 0.0
    out = _spill_by_a_hidden_end(readings, sides.exclusion, sides.cornua, MM)
    assert not out[RIGHT].other_end_hidden


def test_spill_beside_the_cavity_with_nothing_on_the_other_side_may_be_its_tube() -> None:
    # Fresh hard validation (two false reassurances): the other tube, too faint to show at
    # all, ran under the cavity and spilled beside it on this side, where a short "tube"
    # reached the spill. With neither tube nor spill on the other side, the spill is in doubt.
    right = np.zeros(SHAPE, dtype=bool)
    right[99:102, 62:80] = True  # out from the cornu
    right[99:140, 62:65] = True  # and down beside the cavity
    spill = _ellipse((150, 66), 10, 10)
    scout = np.zeros(SHAPE, dtype=bool)
    sides, z = _sides([scout, right, right | spill])
    readings = {s: read_side(sides, z, s, MM) for s in (RIGHT, LEFT)}
    assert readings[RIGHT].first_spill_frame == 2
    assert readings[LEFT].length_mm == 0.0
    out = _spill_by_a_hidden_end(readings, sides.exclusion, sides.cornua, MM)
    assert out[RIGHT].other_tube_unseen and not out[RIGHT].other_end_hidden
    # A tube on the other side that spills in view of its own accounts for itself.
    left = _bar(100, 122, 100, 160) | _bar(40, 160, 100, 162)
    own = _ellipse((40, 170), 12, 12)
    sides, z = _sides([scout, right | left, right | spill | left | own])
    readings = {s: read_side(sides, z, s, MM) for s in (RIGHT, LEFT)}
    assert max(readings[LEFT].thick_area_mm2) > 0.0
    out = _spill_by_a_hidden_end(readings, sides.exclusion, sides.cornua, MM)
    assert not out[RIGHT].other_tube_unseen


def test_a_tube_not_traced_from_its_cornu_beside_an_empty_side_loses_its_spill() -> None:
    # Fresh hard validation (a false reassurance): a removed tube's side got 86 mm of the
    # unseen other tube's spill edges, joined to a stub by the canal; nothing of it ran
    # continuously from the cornu. However long, such a "tube" does not make the spill its own.
    right = np.zeros(SHAPE, dtype=bool)
    right[99:102, 62:80] = True
    right[99:140, 62:65] = True
    spill = _ellipse((150, 76), 10, 10)  # touching the cavity and canal zone
    scout = np.zeros(SHAPE, dtype=bool)
    sides, z = _sides([scout, right, right | spill])
    readings = {s: read_side(sides, z, s, MM) for s in (RIGHT, LEFT)}
    long_from_cornu = replace(readings[RIGHT], solid_length_mm=90.0, from_cornu_mm=90.0)
    out = _spill_by_a_hidden_end(
        {RIGHT: long_from_cornu, LEFT: readings[LEFT]}, sides.exclusion, sides.cornua, MM
    )
    assert not out[RIGHT].other_tube_unseen
    not_from_cornu = replace(long_from_cornu, from_cornu_mm=0.0)
    out = _spill_by_a_hidden_end(
        {RIGHT: not_from_cornu, LEFT: readings[LEFT]}, sides.exclusion, sides.cornua, MM
    )
    assert out[RIGHT].other_tube_unseen


def test_a_tube_shows_when_solid_contrast_traces_it() -> None:
    reading = replace(_spilling((0.0, 0.0, 0.0, 0.0)), solid_lengths_mm=(0.0, 16.7, 0.0, 61.3))
    assert _first_solid_tube_frame(reading) == 3
    assert _first_solid_tube_frame(replace(reading, solid_lengths_mm=(0.0, 5.0))) is None


def _spilling(thick: tuple[float, ...]) -> TubeReading:
    seen = [i for i, a in enumerate(thick) if a >= 40.0]
    return TubeReading(
        length_mm=80.0,
        tube_frame=1,
        lengths_mm=(0.0,) + (80.0,) * (len(thick) - 1),
        solid_length_mm=80.0,
        thick_area_mm2=thick,
        cornual_area_mm2=0.0,
        max_width_mm=12.0,
        dense_fraction=0.4,
        elongation=1.5,
        components=1,
        growth=2.0,
        first_tube_frame=1,
        first_spill_frame=seen[0] if seen else None,
    )


def _crossing_left_tube(end_col: int) -> np.ndarray:
    """A left tube out from its cornu, down, and back under the cavity to ``end_col``."""
    left = np.zeros(SHAPE, dtype=bool)
    left[99:102, 120:140] = True
    left[99:160, 138:141] = True
    left[158:161, end_col:141] = True
    return left


def _right_streak() -> np.ndarray:
    """Streaks of spill out from the right cornu and down: what a faint "tube" looks like."""
    streak = np.zeros(SHAPE, dtype=bool)
    streak[99:102, 50:80] = True
    streak[99:142, 50:53] = True
    return streak


def _read_crossing(frames: list[np.ndarray], left_from_col: int) -> dict[int, TubeReading]:
    """Both sides read, the crossing tube and its end (from ``left_from_col``) the left's."""
    sides, z = _sides(frames)
    sides.labels[150:, left_from_col:100] = LEFT
    return {s: read_side(sides, z, s, MM) for s in (RIGHT, LEFT)}


def test_small_spill_showing_after_the_other_sides_may_be_that_spill_spreading() -> None:
    # Fresh validation (two false reassurances): the other side spilled widely, and a frame or
    # more later a little contrast reached this side, at a blocked side's trace or beside a
    # hydrosalpinx.
    theirs = _spilling((0.0, 0.0, 300.0, 900.0, 2500.0))
    assert _small_late_spill(_spilling((0.0, 0.0, 0.0, 0.0, 150.0)), theirs)
    # A tube filling late after an antispasmodic spills plenty of its own.
    assert not _small_late_spill(_spilling((0.0, 0.0, 0.0, 0.0, 800.0)), theirs)
    # Spill on both sides from the same frame is each side's own.
    assert not _small_late_spill(_spilling((0.0, 0.0, 150.0, 150.0, 150.0)), theirs)
    # Nor does a side that spilled first lose its spill to a later, larger one.
    assert not _small_late_spill(theirs, _spilling((0.0, 0.0, 0.0, 0.0, 150.0)))


def test_a_tube_first_showing_after_the_other_spilled_at_its_end_loses_that_spill() -> None:
    # Fresh validation (a false reassurance): the left tube ran under the cavity and spilled
    # at its end, by the right side, in frame 2; a right "tube" first showed in frame 3 (the
    # spill's streaks) and its spill in frame 4. Before, only a tube first showing in its
    # spill's frame was doubted.
    left = _crossing_left_tube(76)
    end_spill = _ellipse((160, 72), 5, 5)
    streak, cloud = _right_streak(), _ellipse((150, 52), 10, 10)
    scout = np.zeros(SHAPE, dtype=bool)

    def read(frames: list[np.ndarray]) -> dict[int, TubeReading]:
        return _read_crossing(frames, 66)

    with_end = left | end_spill
    readings = read([scout, left, with_end, with_end | streak, with_end | streak | cloud])
    assert readings[LEFT].first_spill_frame == 2
    assert readings[RIGHT].first_tube_frame == 3
    assert readings[RIGHT].first_spill_frame == 4
    out = _spill_at_an_earlier_end(readings, _sides([scout])[0].cornua, MM)
    assert out[RIGHT].spill_at_other_end
    # Shown before the other tube spilled, the tube is its own spill's source.
    readings = read(
        [scout, left | streak, with_end | streak, with_end | streak, with_end | streak | cloud]
    )
    assert readings[RIGHT].first_tube_frame == 1
    out = _spill_at_an_earlier_end(readings, _sides([scout])[0].cornua, MM)
    assert not out[RIGHT].spill_at_other_end


def test_a_tube_showing_only_with_its_spill_loses_it_to_the_other_tube_seen_later() -> None:
    # Hard set, seed 1001 study-0069 (a false reassurance): after a right salpingectomy, the
    # left tube, too faint to trace while it filled, showed only in the last frame, its end at
    # spill by the right cornu; that spill's streaks, first seen with it, were read as a right
    # tube. The other tube need not be seen filling first for the spill to be in doubt.
    left = _crossing_left_tube(66)  # ending by the right's spill
    streak, cloud = _right_streak(), _ellipse((150, 52), 10, 10)
    scout = np.zeros(SHAPE, dtype=bool)

    def read(frames: list[np.ndarray]) -> dict[int, TubeReading]:
        return _read_crossing(frames, 63)

    spill = streak | cloud
    readings = read([scout, scout, scout, spill, spill | left])
    assert readings[RIGHT].first_spill_frame == 3
    assert readings[LEFT].first_tube_frame == 4
    out = _spill_at_an_earlier_end(readings, _sides([scout])[0].cornua, MM)
    assert out[RIGHT].spill_at_other_end
    # The right tube seen before its spill keeps it, whenever the other shows.
    readings = read([scout, streak, streak, spill, spill | left])
    out = _spill_at_an_earlier_end(readings, _sides([scout])[0].cornua, MM)
    assert not out[RIGHT].spill_at_other_end
