"""Reading one tube over the series: is it filled, does it spill, is its end dilated?

Pure functions over the contrast attributed to one side (:func:`openhsg.analysis.core.side_map`).
The clinical rules (DOMAIN.md section 2 and the article's Imaging section):

* a tube that never fills beyond the cornu, in any frame, is occluded proximally (a tube that
  fills only after an antispasmodic is patent: every frame counts);
* a tube that fills without spill is occluded distally; a dilated, clubbed ampulla that
  retains contrast is a hydrosalpinx;
* a tube is patent only when spill is seen *from it*: spill must continue from the contrast
  column traced from that side's cornu. Contrast on a side that cannot be traced to its cornu
  never makes that tube patent.

How the structures are told apart (physical, not pixel-value, arguments):

* a tube is thin (1-3 mm) and curvilinear; spill and a dilated ampulla are thick;
* a hydrosalpinx is the tube itself widening *gradually* toward a blind, rounded end: along
  the tube's centreline the width rises over a long taper and the dilated part is one smooth,
  convex, elongated structure;
* spill leaves the tube *abruptly*: a thin tube ends in contrast that spreads (free spill:
  several irregular clouds and streaks that grow) or pools (loculated spill: one compact,
  lobulated collection that persists).

When these signs disagree the tube is ``indeterminate``, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi
from skimage.filters import apply_hysteresis_threshold
from skimage.graph import MCP_Geometric

from openhsg.analysis.core import (
    Z_HIGH,
    BoolArray,
    FloatArray,
    Sides,
    bounding_box,
    dilate_in_box,
    disk,
    open_where_it_fits,
    skeleton_branches,
    skeletonize,
)
from openhsg.analysis.findings import TubeFinding
from openhsg.analysis.linking import GapLink, link_gap


@dataclass(frozen=True)
class TubeRules:
    """Thresholds of the tube reading, in millimetres (DOMAIN.md sections 2 and 3).

    Attributes
    ----------
    gap_mm
        Gaps in a faint contrast column up to twice this are bridged when tracing.
    cornu_reach_mm
        Contrast must start within this distance of the cornu to be that tube.
    tube_min_length_mm
        A filled tube reaches well beyond the interstitial part (~1 cm) and the cornu.
    thick_radius_mm
        Wider than a tube's contrast column: survives an opening of this radius.
    spill_min_area_mm2
        Smallest thick area that counts as spill or a dilated ampulla.
    attach_mm
        Thick contrast belongs to a tube when it lies this close to the traced column.
    spill_min_width_mm
        Free spill spreads into clouds a centimetre or more across; narrower patchy contrast
        next to a tube is not called spill.
    dense_fraction
        A dilated ampulla or a pool is one dense, homogeneous collection: at least this
        fraction of it is brighter than 0.6 of its 90th-percentile contrast. Free spill is a
        thin, patchy film that spreads between bowel loops and stays below it.
    hydro_min_width_mm, hydro_min_elongation
        A hydrosalpinx is the tube dilated (normal lumen 1-2 mm; > 10 mm on ultrasound) into an
        elongated, clubbed end; a loculated pool is rounder.
    hydro_min_relative_density
        A hydrosalpinx holds a column of contrast as deep as the cavity's (on 17 development
        sets, every one read had at least 0.46 of the cavity's median contrast). One elongated
        structure fainter than this fraction of the cavity is not called a hydrosalpinx: 16
        of the 18 such structures called one on those sets were streaks of free spill, and the
        two blocked tubes among them had narrow, undilated ends.
    sac_min_elongation, sac_max_branch_ends
        A dense collection at the tube's end, not a thin film, is called a dilated, blocked
        ampulla (hydrosalpinx) only when it is at least ``sac_min_elongation`` times as long
        as wide and its skeleton has at most ``sac_max_branch_ends`` end points (a tube's two
        and a spur at the bulb); otherwise it is indeterminate. On the 17 development,
        validation and benchmark sets (6,836 tubes), of the collections so called between 1.6
        and 1.85 times as long as wide, 16 of 30 were patent tubes ending in loculated or
        dense free spill; all 13 with 4 or more end points were spill. Under a logarithmic
        display curve (robustness benchmark, hard realism) 9 of the 14 wrong calls were such
        collections; the two limits leave 2.
    sac_curled_min_course_elongation, sac_curled_max_branch_ends
        Between ``hydro_min_elongation`` and ``sac_min_elongation`` on its ellipse, a dense
        collection is still called a hydrosalpinx when it is at least
        ``sac_curled_min_course_elongation`` times as long as wide along its skeleton and
        unbranched (at most ``sac_curled_max_branch_ends`` end points): a dilated ampulla
        curled into a hook (DOMAIN.md 2: hydrosalpinx, a dilated, clubbed ampulla retaining
        contrast). On nine of the development, validation and benchmark sets, such
        collections with 2 end points measured 2.53-3.26 along their course when
        hydrosalpinges and 1.51-2.40 when loculated pools; the pools longer than 2.5 along
        their course all had a third end point.
    sac_min_frames
        A dilated ampulla is called a hydrosalpinx only when the collection at the tube's end
        shows on at least this many images: a hydrosalpinx retains contrast (DOMAIN.md 2),
        which one image cannot show, and spill just leaving a tube on the last image is a
        dense, unspread collection too. On the two benchmark sets (836 tubes) the 6 tubes
        with free spill called hydrosalpinges all showed the collection on the last image
        only; none of the 24 hydrosalpinges called did. On two further sets (seeds 1001
        hard and 1002 standard, 836 tubes) it left 4 patent tubes and a distal occlusion so
        called indeterminate, and 2 of the 20 true hydrosalpinges called.
    pool_min_width_mm, pool_max_elongation
        A dense collection at the tube's end at least this wide and at most this elongated is
        a round pool: loculated spill (DOMAIN.md 2: contrast pools near the fimbria instead of
        spreading), or a hydrosalpinx whose ampulla curls on itself. Most hydrosalpinges are
        elongated along their course (on development studies every one 10 mm or more wide
        was at least 1.65 times as long as wide), but on fresh studies a curled one measured
        1.3, like a pool; so a round pool does not make the tube patent. It is reported
        ``indeterminate`` with both readings named, as a radiologist would.
    film_max_relative_density
        Contrast spread in a film (free spill) is less than this fraction of the filled
        cavity's contrast (median to median); a hydrosalpinx or a pool holds a column of
        contrast as deep as the cavity's.
    cavity_like_relative_density
        A collection whose median contrast is at least this fraction of the cavity's is as
        opaque as the cavity: not a film, whatever its texture (``dense_fraction``), which
        bends with the display curve.
    end_mm
        Spill must continue from the far end of the traced tube (the ampulla and its fimbrial
        end: its distal half or its last ``end_mm``, whichever is longer), not from anywhere
        along it.
    link_max_mm
        Longest faint stretch followed between the column at the cornu and a distal part (the
        isthmus and the interstitial part together are a few centimetres).
    late_tube_max_by_uterus_mm, by_uterus_mm
        A tube first seen in the frame where it first spills, after the other tube spilled,
        is read as spilling only when less than ``late_tube_max_by_uterus_mm`` of its course in
        that frame runs within ``by_uterus_mm`` of the cavity and canal. Nothing shows that
        tube fill before its spill (a tube fills before it spills), while the other side's
        spill, already spreading, coats the uterus: contrast along the uterus's edge with a
        patch at its end may be that spill (a false reassurance on a fresh set: 40 mm of a
        proximally blocked tube's "course" ran along the cavity's side). The interstitial
        part, the one stretch of a tube inside the uterine wall, is about 1 cm (DOMAIN.md 3);
        on six development, benchmark and fresh sets (2,500 tubes) such late tubes called
        patent ran at most 15 mm along it.
    unexplained_min_mm2
        Thick contrast at least this large on a side, away from both tubes and their ends,
        forbids calling that side's tube occluded: it may have spilled from a part of the tube
        too faint to follow (DOMAIN.md 2: the isthmus is the narrowest part), or come from the
        other tube; either way occlusion is not shown.
    known_tube_mm
        A tube followed this far from its cornu in an earlier frame has reached its ampulla
        (DOMAIN.md 2: interstitial part and isthmus together are a few centimetres): a part
        that shows later is its distal part only within ``link_max_mm`` of where it ended.
    known_end_clear_mm
        A tube known from earlier frames is trusted over a branch joining it later only when
        its end lies at least this far from the cavity and canal (a "tube" ending by them may
        be contrast along their edge).
    short_tube_min_mm
        A tube traced from its cornu for less than ``tube_min_length_mm`` but at least this,
        with wide spill (``spill_min_width_mm``, four times ``spill_min_area_mm2``) spreading
        from its end and kept clear of the other side until then, and spilling no later than
        the other side, is patent: the isthmus is
        the narrowest part (DOMAIN.md 2) and at low dose may show only in part, while spill
        on this side, away from the other tube, can only have come from this one.
    spill_min_growth
        Free spill spreads through the peritoneum: it grows and persists from frame to frame
        (the issue's time reasoning). One elongated collection at the tube's end, seen in two
        frames or more and growing by less than this factor, is held: a dilated, clubbed
        ampulla retaining contrast (a hydrosalpinx, DOMAIN.md 2) or a loculated pocket, not
        free spill (a grainy hydrosalpinx read as
        patchy spill was a false reassurance on fresh hard validation).
    spill_max_washout
        Free spill stays in the peritoneum for hours: contrast that has left the tube's end
        is still in its place at the end of the study, spread or not. Intravasation washes
        out (DOMAIN.md 2), and so does contrast draining back from a blocked tube. When no
        thick contrast is at the tube's end in the last frame and at least this fraction
        of the first spill's contrast has gone from its place, it was not free spill (two
        false reassurances on fresh validation, both with intravasation; the tubes called
        patent correctly that lose their end's contrast in the last frame lose at most a
        third of it there: their tube is only not traced).
    small_spill_min_width_mm, small_spill_max_elongation
        Patchy contrast narrower than ``spill_min_width_mm`` is a little spill (at low dose
        free spill shows in fragments a few millimetres across) or a narrow, blocked tube end.
        It is read as spill from this tube only when it is at least this wide, rounder than
        this (a blocked end is long along the tube's course), still in place in the last
        frame (free spill stays, DOMAIN.md 2), kept clear of the other side until it shows,
        showing no later than the other side's spill, and the other tube spills from its
        own end (so the other tube's spill is accounted for and this one cannot be it).
        On 17 development sets (3,400 tubes), every such patch kept clear of the other side
        was free spill but for two narrow (5-6 mm), elongated (3.4 and 5.0 times as long as
        wide) distal occlusions; on 21 sets the rule made 39 more correct calls and no false
        reassurance (four sets made after it was written among them).
    far_spill_min_mm, far_spill_min_growth
        At low dose a tube may show from its cornu while its far end, the ampulla, is too
        faint to follow to its spill. Thick contrast on this side, away from both tubes, is
        this tube's free spill when the tube shows solid from its cornu for at least
        ``tube_min_length_mm``, the contrast lies at least ``far_spill_min_mm`` from the
        other tube and the contrast at its end where it first shows, the other tube spills
        from its own end (its spill is accounted for), and the contrast either still spreads
        into the last frame, by at least ``far_spill_min_growth`` times (free spill spreads
        through the peritoneum; a dilated, blocked tube fills and then holds its size,
        DOMAIN.md 2), or is a thin film (``film_max_relative_density``) still there in the
        last frame, in a study without a venous network (whose thin threads may lie away
        from both tubes too). The hydrosalpinx sacs met this way held their size and had 0.66
        or more of the cavity's contrast. On the validation sets the spreading form made 10 more
        correct calls (21 sets, 4,200 tubes) and the thin film 7 (25 sets), all but one at low
        dose, with no false reassurance; the network check cost the film 8 more.
    segment_min_length_mm, segment_reach_mm
        The isthmus is the tube's narrowest part (DOMAIN.md 2) and, at low dose or with dilute
        contrast, may not show while the wider ampulla does. A thin contrast column at least
        ``segment_min_length_mm`` long, starting within ``segment_reach_mm`` of the cornu and
        running away from it, is taken as the visible distal part of that tube.
    """

    gap_mm: float = 3.0
    trace_smooth_mm: float = 0.9
    cornu_reach_mm: float = 20.0
    tube_min_length_mm: float = 20.0
    thick_radius_mm: float = 2.5
    spill_min_area_mm2: float = 40.0
    attach_mm: float = 15.0
    dense_fraction: float = 0.42
    spill_min_width_mm: float = 9.0
    hydro_min_width_mm: float = 6.0
    hydro_min_elongation: float = 1.6
    sac_min_elongation: float = 1.85
    sac_max_branch_ends: int = 3
    sac_curled_min_course_elongation: float = 2.5
    sac_curled_max_branch_ends: int = 2
    sac_min_frames: int = 2
    pool_min_width_mm: float = 10.0
    pool_max_elongation: float = 1.4
    film_max_relative_density: float = 0.5
    small_spill_min_width_mm: float = 6.0
    hydro_min_relative_density: float = 0.3
    far_spill_min_mm: float = 40.0
    far_spill_min_growth: float = 1.5
    small_spill_max_elongation: float = 3.0
    cavity_like_relative_density: float = 0.75
    link_max_mm: float = 40.0
    unexplained_min_mm2: float = 200.0
    known_tube_mm: float = 50.0
    known_end_clear_mm: float = 10.0
    end_mm: float = 25.0
    spill_min_growth: float = 1.1
    spill_max_washout: float = 0.6
    segment_min_length_mm: float = 15.0
    short_tube_min_mm: float = 10.0
    segment_reach_mm: float = 70.0
    late_tube_max_by_uterus_mm: float = 25.0
    by_uterus_mm: float = 4.0


TUBE_RULES = TubeRules()


@dataclass(frozen=True)
class TubeReading:
    """What was measured on one side over the series.

    Attributes
    ----------
    length_mm
        Longest traced tube (contrast column connected to the cornu), any frame.
    tube_frame
        Frame where the traced tube is longest, or None.
    lengths_mm
        Per frame, the traced tube's length.
    solid_length_mm
        Longest traced length made of contrast above the pixel threshold (no faint help).
    solid_lengths_mm
        Per frame, that solid length (a tube fills before it spills: what shows before the
        first spill frame is the tube itself, not streaks of spill).
    thick_area_mm2
        Per frame, thick contrast attached to the traced tube, away from the cornu.
    cornual_area_mm2
        Largest thick contrast within reach of the cornu when no tube was traced.
    max_width_mm
        Largest width of the attached thick contrast.
    dense_fraction
        Of the attached thick contrast, in its largest frame: fraction that is dense.
    elongation, components
        Of that contrast: major / minor axis of its largest part, and number of parts.
    course_elongation
        Of that largest part: length along its skeleton over its mean width (a curved,
        tube-like structure is long along its course though not on its ellipse).
    growth
        Attached thick area in the last frame with any / in the first: spreading spill grows.
    main_share, main_growth
        Of the attached thick contrast in its largest frame, the fraction its largest part
        holds; and the contrast lying where that part lies, in the last frame with any / in
        the first (a collection that keeps its size while other contrast shows elsewhere).
        A share of 0 means not measured.
    main_median_z
        Median contrast (noise units) of that largest part in its frame.
    median_z
        Median contrast (noise units) of the attached thick contrast in its largest frame.
    branch_ends
        End points of the largest part's skeleton: 2 for an unbranched, tube-like structure;
        spill clouds and streaks branch.
    detached
        The traced tube is only its distal part: no column reaches the cornu in the frame
        where it is longest (see ``TubeRules.segment_min_length_mm``).
    from_cornu_mm
        In that frame, the length traced continuously from the cornu.
    faint_link_mm
        In that frame, the length of a faint stretch followed from the cornu's column to a
        visible distal part (:func:`openhsg.analysis.linking.link_gap`), or 0.
    beside_area_mm2
        Largest thick contrast (any frame) beside the traced tube but not at its far end.
    first_tube_frame, first_spill_frame
        First frame where the tube is traced, and first where thick contrast leaves it: a
        tube fills before it spills.
    spill_off_known_end
        In the frame where the attached thick contrast is largest, it lies only by a branch
        that joined the tube traced in earlier frames away from that tube's end.
    spill_shared
        In the frame where it first appears, the thick contrast at the tube's end already
        touches contrast attributed to the other side: it may have come from the other tube.
    footprint
        (frames, rows, cols) bool: per frame, the traced tube and the thick contrast at its
        end, for telling whose contrast a spill runs into.
    spill_patch
        (rows, cols) bool: the thick contrast at the tube's end in ``first_spill_frame``.
    other_spilled_first
        The other tube spilled in an earlier frame than this one (set by the caller).
    other_spilled
        Thick contrast leaves the other tube's own end in some frame (set by the caller).
    course_by_uterus_mm
        In ``first_tube_frame``, the length of the traced tube within
        ``TubeRules.by_uterus_mm`` of the cavity and canal.
    spill_washout
        How much of the contrast of ``spill_patch`` is gone from its place in the last frame:
        1 - (median contrast there in the last frame) / (median in ``first_spill_frame``),
        0 when there is no spill or nothing gone.
    clear_of_other_side
        Up to and including its first spill, neither the tube's visible parts nor the
        contrast at their end come near the other tube or its spill (set by the caller,
        which sees both sides).
    thick_stack
        (frames, rows, cols) bool: this side's thick contrast (wider than a tube), per frame.
    other_tube_seen
        The other side shows at least ``short_tube_min_mm`` of tube (set by the caller).
    unexplained_area_mm2
        Largest thick contrast on this side (any frame) that lies away from both tubes and
        the contrast at their ends (set by the caller, for tubes that would be called
        occluded).
    unexplained_growth, unexplained_far_mm, unexplained_median_z
        Of that contrast: its area in the last frame over that in the frame before it that
        shows any (1 when only the last frame shows it, 0 when the last does not); in the
        first frame it shows, its distance from the other tube and the contrast at its end (0
        when the other side shows nothing then); its median contrast (noise units) in the
        frame it is largest.
    intravasation_seen
        A venous or lymphatic network was found in the study (set by the caller, with the
        unexplained contrast).
    other_end_hidden
        The spill touches the cavity and canal zone, into which the other tube runs out of
        sight: it may be that tube's (set by the caller).
    other_may_emerge
        This tube, traced short (under 60 mm of solid contrast), leaves the cavity's edge, its
        spill lies farther out, and the other tube's far end runs into the cavity and canal
        zone out of sight, that tube showing no spill of its own: the other tube may come out
        from behind the cavity on this side, and be all this side shows (set by the caller).
    other_tube_unseen
        The spill lies close to the cavity and canal zone, and the other side shows neither
        tube nor spill: that tube, too faint to see, may run behind the uterus and this be its
        spill (set by the caller).
    spill_at_other_end
        The tube shows (by solid contrast) only when its spill does, or only after the other
        tube has spilled, and its spill lies at the far end of the other tube, seen filling
        before: it may be that tube's spill, and this "tube" its streaks (set by the caller).
    ends_at_other_cornu
        The spill lies by this side's cornu and the traced tube ends by the other cornu: it
        may be the other tube, crossing over the fundus, seen from its end (set by the
        caller).
    """

    length_mm: float
    tube_frame: int | None
    lengths_mm: tuple[float, ...]
    solid_length_mm: float
    thick_area_mm2: tuple[float, ...]
    cornual_area_mm2: float
    max_width_mm: float
    dense_fraction: float
    elongation: float
    components: int
    growth: float
    median_z: float = 0.0
    branch_ends: int = 0
    detached: bool = False
    from_cornu_mm: float = 0.0
    faint_link_mm: float = 0.0
    beside_area_mm2: float = 0.0
    first_tube_frame: int | None = None
    first_spill_frame: int | None = None
    spill_shared: bool = False
    spill_off_known_end: bool = False
    footprint: BoolArray | None = field(default=None, compare=False, repr=False)
    spill_patch: BoolArray | None = field(default=None, compare=False, repr=False)
    clear_of_other_side: bool = False
    thick_stack: BoolArray | None = field(default=None, compare=False, repr=False)
    other_tube_seen: bool = True
    unexplained_area_mm2: float = 0.0
    unexplained_growth: float = 0.0
    unexplained_far_mm: float = 0.0
    unexplained_median_z: float = 0.0
    intravasation_seen: bool = False
    other_end_hidden: bool = False
    other_may_emerge: bool = False
    other_tube_unseen: bool = False
    spill_at_other_end: bool = False
    ends_at_other_cornu: bool = False
    solid_lengths_mm: tuple[float, ...] = ()
    course_elongation: float = 1.0
    main_share: float = 0.0
    main_growth: float = 0.0
    main_median_z: float = 0.0
    spill_washout: float = 0.0
    other_spilled_first: bool = False
    other_spilled: bool = False
    course_by_uterus_mm: float = 0.0

    @property
    def spill_frame(self) -> int | None:
        if not self.thick_area_mm2 or max(self.thick_area_mm2) <= 0:
            return None
        return int(np.argmax(self.thick_area_mm2))


HELD_MAIN_SHARE = 0.7
"""A collection is the attached contrast's main part when it holds at least this share of it."""

SAC_MAIN_SHARE = 0.9
"""Attached contrast whose main part holds at least this share is that part with flecks beside
it. On the 17 development, validation and benchmark sets (6,836 tubes) 7 tubes had such a
part, unbranched and at least twice as long as wide: 3 hydrosalpinges (called so by the dense
sac rule) and 4 streaks of free spill, 3 of them faint (under a third of the cavity's
contrast, still read as spill) and the fourth left indeterminate."""

SINGLE_CORNU_MM = 10.0
"""Cornual points closer than this are one horn tip. On development studies the two cornua of
a unicornuate cavity lay 3-6 mm apart, those of every other cavity (T-shaped included) at
least 13 mm apart."""


def faint_reach_px(mm: float, rules: TubeRules = TUBE_RULES) -> int:
    """How far (pixels) from a side's solid contrast faint evidence is looked for."""
    return 2 * max(1, round(rules.gap_mm / mm))


def _length_mm(mask: BoolArray, mm: float, within: BoolArray | None = None) -> float:
    if not mask.any():
        return 0.0
    # Skeleton pixels, with the diagonal steps' extra length (mean ~1.12 px per pixel).
    skel = skeletonize(mask)
    if within is not None:
        skel = skel & within
    return float(skel.sum()) * mm * 1.12


def _elongation(region: BoolArray) -> float:
    """Major / minor axis of a region (1 for a disc)."""
    from skimage.measure import regionprops

    props = regionprops(region.astype(np.uint8))  # type: ignore[no-untyped-call]
    if not props:
        return 1.0
    p = props[0]
    return float(p.axis_major_length) / max(float(p.axis_minor_length), 1.0)


def _course_elongation(region: BoolArray) -> float:
    """Length along the skeleton over mean width (area / skeleton length): how many times
    longer than wide a curved structure is, where its ellipse is not (a dilated ampulla
    curled into a hook: 1.95 on its ellipse, 3.05 along its course, on fresh validation)."""
    box = bounding_box(region, 1)
    if box is None:
        return 1.0
    part = region[box]
    length = int(skeletonize(part).sum())
    if length == 0:
        return 1.0
    width = float(part.sum()) / length
    return (length + width) / width


def _is_straight(part: BoolArray, mm: float) -> bool:
    """A long, straight, thin line (an instrument's edge), by the spread of its pixels."""
    rr, cc = np.nonzero(part)
    if rr.size < 5:
        return False
    evals = np.linalg.eigvalsh(np.cov(np.stack([rr, cc]).astype(np.float64)))
    length = 4.0 * float(np.sqrt(max(evals[1], 0.0))) * mm
    thickness = 4.0 * float(np.sqrt(max(evals[0], 0.0))) * mm
    return length >= 20.0 and thickness <= max(2.0, 0.06 * length)


def _distal_segment(
    labels: npt.NDArray[np.int32],
    at_cornu: npt.NDArray[np.int32],
    solid: BoolArray,
    thick: BoolArray,
    beside_dark: BoolArray,
    from_cornu: FloatArray,
    gap: int,
    mm: float,
    rules: TubeRules,
) -> BoolArray:
    """Thin columns that may be the visible distal part of a tube (an empty mask if none).

    Candidates are the bridged components that do not reach the cornu. Each must hold a thin
    column of solid contrast (no faint help) at least ``rules.segment_min_length_mm`` long,
    begin within ``rules.segment_reach_mm`` of the cornu and run away from it (its far end at
    least that length farther out than its near end), as the ampulla does. All that qualify
    are kept: which of them is the tube is left to what lies beyond them. A straight line
    is not taken, nor a line running beside strongly dark change: moved instruments
    (tenaculum, speculum blades, cannula) leave those, bright where they are and dark where they
    were; contrast only adds brightness.
    """
    found = np.zeros(labels.shape, dtype=bool)
    thin = solid & ~dilate_in_box(thick, gap)
    for lab, box in enumerate(ndi.find_objects(labels), start=1):
        if box is None or lab in at_cornu:
            continue
        part = (labels[box] == lab) & thin[box]
        if part.sum() * mm < rules.segment_min_length_mm:
            continue
        length = _length_mm(part, mm)
        if length < rules.segment_min_length_mm:
            continue
        if _is_straight(part, mm) or np.mean(beside_dark[box][part]) > 0.1:
            continue
        dist = from_cornu[box][part]
        near, far = float(dist.min()), float(dist.max())
        if near > rules.segment_reach_mm or far - near < rules.segment_min_length_mm * 0.7:
            continue
        found[box] |= part
    return found


def _distal_end(
    column: BoolArray,
    region: BoolArray,
    from_cornu: npt.NDArray[np.float64],
    gap: int,
    mm: float,
    rules: TubeRules,
) -> BoolArray:
    """The far end of a traced tube: its distal half or last ``rules.end_mm``, if longer.

    Distances run through ``region`` (the bridged contrast the column was traced in) and the
    column (gaps up to twice ``gap`` bridged), from the column's pixels nearest the cornu, so a
    tube that loops back toward the uterus still ends where it ends.
    """
    if not column.any():
        return column
    box = bounding_box(column | region, 2 * gap + 2)
    assert box is not None
    col = column[box]
    bridged = dilate_in_box(col, gap) | region[box]
    dist = from_cornu[box]
    nearest = float(dist[col].min())
    seeds = [tuple(p) for p in np.argwhere(col & (dist <= nearest + rules.cornu_reach_mm / 2))]
    along, _ = MCP_Geometric(np.where(bridged, 1.0, np.inf)).find_costs(seeds)  # type: ignore[no-untyped-call]
    if np.isfinite(along[col]).mean() < 0.5:
        # Most of the column was joined from earlier frames or by a faint stretch and lies
        # beyond what this frame shows: cross elsewhere at a cost rather than leave the far
        # end at the cornu.
        costs = np.where(bridged, 1.0, 4.0)
        along, _ = MCP_Geometric(costs).find_costs(seeds)  # type: ignore[no-untyped-call]
    along = np.where(col & np.isfinite(along), along, -np.inf)
    far = float(along.max())
    if not np.isfinite(far):
        return column
    out = np.zeros_like(column)
    out[box] = col & (along >= min(far - rules.end_mm / mm, 0.5 * far))
    return out


def _branches_off(column: BoolArray, known: BoolArray, known_end: BoolArray, gap: int) -> BoolArray:
    """Parts of ``column`` beyond the tube ``known`` from earlier frames, not continuing its end.

    A part continues the tube when it reaches within two gaps of ``known_end``; the others
    leave the known tube elsewhere (or lie apart from it).
    """
    new = column & ~dilate_in_box(known, gap)
    if not new.any():
        return new
    parts, count = ndi.label(new, structure=np.ones((3, 3), dtype=bool))
    at_end = np.unique(parts[dilate_in_box(known_end, 2 * gap) & new])
    keep = np.ones(count + 1, dtype=bool)
    keep[at_end] = False
    keep[0] = False
    out: BoolArray = keep[parts]
    return out


def _parts_on(mask: BoolArray, where: BoolArray, min_px: int = 3) -> BoolArray:
    """The connected parts of ``mask`` that reach into ``where`` (``min_px`` pixels or more)."""
    parts, count = ndi.label(mask, structure=np.ones((3, 3), dtype=bool))
    if count == 0:
        return np.zeros_like(mask)
    total = np.bincount(parts.ravel(), minlength=count + 1)
    inside = np.bincount(parts[where].ravel(), minlength=count + 1)
    keep = inside >= np.minimum(min_px, total)
    keep[0] = False
    out: BoolArray = keep[parts]
    return out


def _follow_to_distal_part(
    sides: Sides,
    off_rim: BoolArray,
    own: BoolArray,
    frame: int,
    evidence: FloatArray,
    column: BoolArray,
    segment: BoolArray,
    components: npt.NDArray[np.int32],
    traced: BoolArray,
    from_cornu: npt.NDArray[np.float64],
    origin: tuple[float, float],
    mm: float,
    rules: TubeRules,
) -> tuple[BoolArray, BoolArray]:
    """The one distal part a faint stretch links to the column at the cornu, and that stretch.

    A tube has one distal end, so the stretch must leave the column at its tip (or the cornu,
    when no column is traced), and exactly one candidate part may link: when none or several
    do, nothing is joined (empty masks).
    """
    empty = np.zeros_like(column)
    if column.any() and _length_mm(column, mm) >= rules.tube_min_length_mm:
        tip_mm = float(from_cornu[column].max())
        start = column & (from_cornu >= tip_mm - 5.0)
    else:
        edge = dilate_in_box(off_rim, 1) & ~off_rim
        start = column | (edge & (from_cornu <= 6.0))
    other = sides.extra[frame] & ~own
    # The stretch is faint by definition: it may not run through contrast that shows (the
    # other tube, spill, this tube's own column), only through what does not; nor along the
    # blurred edge of the cavity and canal.
    passable = ~off_rim & own & ~sides.extra[frame] & ~column
    # One candidate per bridged component (a faint part may show in pieces).
    linked: list[tuple[BoolArray, GapLink]] = []
    for lab in np.unique(components[segment]):
        part = segment & (components == lab)
        if _length_mm(part, mm) < rules.segment_min_length_mm:
            continue
        link = link_gap(evidence, start, part, passable, traced | other, origin, mm)
        if link.linked and _length_mm(link.path, mm) <= rules.link_max_mm:
            linked.append((part, link))
    if len(linked) != 1:
        return empty, empty
    part, link = linked[0]
    return part, link.path


def read_side(
    sides: Sides,
    z: FloatArray,
    side: int,
    mm: float,
    rules: TubeRules = TUBE_RULES,
) -> TubeReading:
    """Trace one side's tube from its cornu and measure what leaves it, frame by frame.

    Parameters
    ----------
    sides
        Contrast outside the cavity, attributed to the patient's sides.
    z
        Contrast in noise units, (frames, rows, cols).
    side
        :data:`openhsg.analysis.core.RIGHT` or :data:`~openhsg.analysis.core.LEFT`.
    mm
        Working pixel size.
    rules
        Thresholds.
    """
    n = sides.extra.shape[0]
    own = sides.labels == side
    cr, cc = sides.cornua[side]
    rows, cols = np.indices(own.shape)
    from_cornu = np.hypot(rows - cr, cols - cc) * mm
    near_cornu = from_cornu <= rules.cornu_reach_mm
    gap = max(1, round(rules.gap_mm / mm))
    attach = max(1, round(rules.attach_mm / mm))
    thick_fp = disk(max(1, round(rules.thick_radius_mm / mm)))
    px2 = mm * mm
    lengths: list[float] = []
    solid: list[float] = []
    thick_areas: list[float] = []
    thick_masks: list[BoolArray] = []
    footprint = np.zeros(sides.extra.shape, dtype=bool)
    thick_stack = np.zeros(sides.extra.shape, dtype=bool)
    detached: list[bool] = []
    links: list[float] = []
    known = np.zeros(own.shape, dtype=bool)  # the tube traced from the cornu so far
    known_end: BoolArray | None = None  # its far end, computed once per change of ``known``
    known_long = False  # ``known`` is at least ``rules.known_tube_mm`` long
    off_known_end: list[int] = []  # frames whose spill lies only by a branch (see below)
    beside = 0.0
    from_cornu_lengths: list[float] = []
    cornual = 0.0
    smooth = max(1.0, rules.trace_smooth_mm / mm)
    # Faint evidence only extends what solid contrast shows: it is looked for within two gaps
    # of this side's contrast in any frame (which also bounds the region read).
    near_solid = dilate_in_box((sides.extra & own[None]).any(axis=0), faint_reach_px(mm, rules))
    # Smoothing spreads the bright cavity and canal beyond their excluded zone: faint evidence
    # hugging that zone is their blurred edge, not a tube (a false reassurance in validation:
    # a "tube" followed down the side of the cavity to contrast by the cervix).
    off_rim = dilate_in_box(sides.exclusion, max(1, round(2.0 * rules.trace_smooth_mm / mm)))
    # A tube known from earlier frames is trusted over a later branch only when it ends away
    # from the cavity and canal: a "tube" ending by them may be contrast along their edge.
    by_uterus = dilate_in_box(sides.exclusion, max(1, round(rules.known_end_clear_mm / mm)))
    for i in range(n):
        m = sides.extra[i] & own
        # A thin tube can be too faint pixel by pixel: smoothing along and across it lifts it
        # above the noise. This fainter evidence only helps trace the column; it never counts
        # as spill.
        zs = ndi.gaussian_filter(z[i], smooth) * smooth
        faint = apply_hysteresis_threshold(zs, 2.0, 4.0) & own & near_solid & ~off_rim  # type: ignore[no-untyped-call]
        traced = m | faint
        if not traced.any():
            lengths.append(0.0)
            detached.append(False)
            links.append(0.0)
            from_cornu_lengths.append(0.0)
            solid.append(0.0)
            thick_areas.append(0.0)
            thick_masks.append(m)
            continue
        bridged = dilate_in_box(traced, gap)
        labels, _count = ndi.label(bridged)
        hit = np.unique(labels[near_cornu & bridged])
        connected = np.isin(labels, hit[hit > 0]) & traced
        thick = open_where_it_fits(m, thick_fp)
        thick_stack[i] = thick
        column = connected & ~dilate_in_box(thick, gap)
        length = _length_mm(column, mm)
        from_cornu_lengths.append(length)
        # Beyond the traced part (or instead of it), the tube may show again where it widens.
        beside_dark = dilate_in_box(z[i] < -Z_HIGH, max(1, round(2.0 / mm)))
        segment = _distal_segment(
            labels, hit, traced & m, thick, beside_dark, from_cornu, gap, mm, rules
        )
        link_mm = 0.0
        if segment.any() and known.any():
            # Frames are registered and a filled tube stays where it is: a distal part that
            # lies on or continues the tube traced from the cornu in an earlier frame is that
            # tube.
            on_known = _parts_on(segment, dilate_in_box(known, max(1, round(2.0 / mm))))
            if on_known.any():
                column = column | on_known | known
                segment = segment & ~on_known
                length = _length_mm(column, mm)
        if segment.any() and known.any() and _length_mm(known, mm) >= rules.known_tube_mm:
            # A tube followed well out from its cornu in an earlier frame ends where it ended:
            # a part that shows later away from that end (contrast by the cervix or the
            # catheter, a loop of the other tube) is not its distal part (two false
            # reassurances). A shorter stub may be the proximal tube only, its distal part
            # still to show beyond an invisible stretch.
            if known_end is None:
                known_end = _distal_end(known, known, from_cornu, gap, mm, rules)
            near_end = dilate_in_box(known_end, max(1, round(rules.link_max_mm / mm)))
            segment = _parts_on(segment, near_end)
        if segment.any():
            reach_now = float(from_cornu[column].max()) if column.any() else 0.0
            if float(from_cornu[segment].min()) >= reach_now - rules.gap_mm:
                joined, path = _follow_to_distal_part(
                    sides,
                    off_rim,
                    own,
                    i,
                    zs,
                    column,
                    segment,
                    labels,
                    traced,
                    from_cornu,
                    (cr, cc),
                    mm,
                    rules,
                )
                if joined.any():
                    # The faint stretch is followed: the tube is continuous from its cornu.
                    column = column | joined | path
                    link_mm = _length_mm(path, mm)
                    segment = np.zeros_like(column)
                else:
                    column = column | segment
                length = _length_mm(column, mm)
            else:
                segment = np.zeros_like(column)
        if not segment.any() and known.any() and length < rules.tube_min_length_mm:
            # Frames are registered and a filled tube stays where it is: where it fades in a
            # later frame, its far end is still where it was.
            column = column | known
            length = _length_mm(column, mm)
        branch = np.zeros_like(column)
        if known_long and not segment.any():
            # A filled tube stays where it is and fills on from its end (see below): a branch
            # joining it elsewhere is not added to it.
            if known_end is None:
                known_end = _distal_end(known, known, from_cornu, gap, mm, rules)
            if not (known_end & by_uterus).any():
                branch = _branches_off(column, known, known_end, gap)
        branched = bool(branch.any())
        links.append(link_mm)
        detached.append(bool(segment.any()))
        if not segment.any() and length >= rules.tube_min_length_mm:
            known = known | (column & ~branch)
            known_end = None
            known_long = _length_mm(known, mm) >= rules.known_tube_mm
        lengths.append(length)
        solid.append(_length_mm(column & m, mm) if length > 0 else 0.0)
        by_cornu = thick & (from_cornu <= 1.5 * rules.cornu_reach_mm)
        cornual = max(cornual, float(by_cornu.sum()) * px2)
        if length < (rules.segment_min_length_mm if segment.any() else rules.tube_min_length_mm):
            thick_areas.append(0.0)
            thick_masks.append(np.zeros_like(m))
            continue
        if not thick.any():
            # Nothing wider than a tube in this frame: no spill to look for at its end.
            thick_areas.append(0.0)
            thick_masks.append(np.zeros_like(m))
            footprint[i] = column
            continue
        # Spill and dilated ampullae continue from the tube's far end (the fimbriae), not from
        # anywhere along it: a tube that passes near spill of the other tube has not spilled.
        region = np.isin(labels, hit[hit > 0]) | dilate_in_box(column, gap)
        end = _distal_end(column, region, from_cornu, gap, mm, rules)
        if (known & ~dilate_in_box(column, gap)).any():
            # Frames are registered and a filled tube stays where it is: the far end of the
            # tube as followed in earlier frames is still its end, even where spill now
            # covers it and hides it in this frame.
            if known_end is None:
                known_end = _distal_end(known, known, from_cornu, gap, mm, rules)
            end = end | known_end
        reach = dilate_in_box(end, attach)
        parts, count = ndi.label(thick)
        keep = np.zeros(count + 1, dtype=bool)
        for lab in np.unique(parts[reach & thick]):
            if lab == 0:
                continue
            part = parts == lab
            pr, pc = ndi.center_of_mass(part)
            # Contrast pooled at the cornu is not spill; contrast at the end of a tube that
            # loops back towards its cornu is, when it spreads well beyond the cornu or the
            # tube is long enough to have turned back (tubes coiling back to end by their
            # cornu, with spill there, were left indeterminate in validation).
            keep[lab] = (
                np.hypot(pr - cr, pc - cc) * mm > rules.cornu_reach_mm
                or float(from_cornu[part].max()) > 1.5 * rules.cornu_reach_mm
                or length >= 3.0 * rules.cornu_reach_mm
            )
        attached = keep[parts]
        if branched and attached.any():
            # A filled tube stays where it is and fills on from its end: when the column has
            # gained a branch off the tube traced in earlier frames (which ends clear of the
            # cavity and canal), and thick contrast lies only by that branch, not by the known
            # tube's end, it may be the other tube's spill spreading along the cavity to this
            # cornu (a false reassurance on fresh validation: a blocked tube fully traced).
            # ``known`` may have grown this frame (by the column's continuation of its end):
            # its end is taken afresh.
            if known_end is None:
                known_end = _distal_end(known, known, from_cornu, gap, mm, rules)
            by_known_end = dilate_in_box(known_end, attach)
            if not (attached & by_known_end).any():
                off_known_end.append(i)
        thick_areas.append(float(attached.sum()) * px2)
        thick_masks.append(attached)
        footprint[i] = column | attached
        # Thick contrast beside the tube but not at its end: spill of the other tube, or of
        # this one when its end is not traced. Either way it is not evidence of occlusion.
        alongside = dilate_in_box(column, attach) & thick & ~attached
        far_out = alongside & (from_cornu > rules.cornu_reach_mm)
        beside = max(beside, float(far_out.sum()) * px2)
    best = int(np.argmax(thick_areas))
    dense, elongation, components, width, median_z, ends = 0.0, 1.0, 0, 0.0, 0.0, 0
    course, main_share, main_median_z = 1.0, 1.0, 0.0
    big = np.zeros(own.shape, dtype=bool)
    if thick_areas[best] > 0:
        region = thick_masks[best]
        labels, components = ndi.label(region)
        values = z[best][region]
        median_z = float(np.median(values))
        p90 = float(np.percentile(values, 90))
        dense = float(np.mean(values > 0.6 * p90)) if p90 > 0 else 0.0
        sizes = np.bincount(labels.ravel())[1:]
        big = labels == int(np.argmax(sizes)) + 1
        elongation = _elongation(big)
        course = _course_elongation(big)
        ends = skeleton_branches(big)
        width = 2.0 * float(ndi.distance_transform_edt(big).max()) * mm
        main_share = float(big.sum()) / max(1.0, float(region.sum()))
        main_median_z = float(np.median(z[best][big]))
    seen = [i for i in range(n) if thick_areas[i] > 0]
    growth = thick_areas[seen[-1]] / max(thick_areas[seen[0]], 1e-6) if seen else 0.0
    main_growth = 0.0
    if seen and thick_areas[best] > 0:
        where = dilate_in_box(big, gap)
        first, last = (float((thick_masks[k] & where).sum()) for k in (seen[0], seen[-1]))
        main_growth = last / max(1.0, first)
    # Spill is first seen where it is large enough to count as spill at all, and it persists
    # (the time reasoning: spill grows and persists): a collection that is gone in
    # the next frame is not where spill began.
    spilled = [i for i in seen if thick_areas[i] >= rules.spill_min_area_mm2]
    # It persists where it showed: a collection gone from its place in the next frame, with
    # contrast showing elsewhere instead, did not start the spill (a false reassurance on
    # fresh validation: a blocked tube's end, curled on itself, read as spill, and the other
    # side's spill reaching its cornu a frame later taken for that spill spreading).
    keep_px = max(1, round(rules.attach_mm / 3.0 / mm))
    lasting = [
        i
        for i in spilled
        if i == n - 1
        or (
            thick_areas[i + 1] >= rules.spill_min_area_mm2
            and bool((thick_masks[i + 1] & dilate_in_box(thick_masks[i], keep_px)).any())
        )
    ]
    candidates = lasting or spilled or seen
    first_spill = candidates[0] if candidates else None
    shared = False
    if first_spill is not None:
        other_side = (sides.labels > 0) & ~own
        touching = dilate_in_box(thick_masks[first_spill], 2) & sides.extra[first_spill]
        shared = bool((touching & other_side).any())
    length = max(lengths)
    filled = [
        i
        for i in range(n)
        if lengths[i] >= (rules.segment_min_length_mm if detached[i] else rules.tube_min_length_mm)
    ]
    by_uterus_mm = 0.0
    if filled:
        first_course = footprint[filled[0]] & ~thick_stack[filled[0]]
        near_uterus = dilate_in_box(sides.exclusion, max(1, round(rules.by_uterus_mm / mm)))
        by_uterus_mm = _length_mm(first_course, mm, within=near_uterus)
    return TubeReading(
        length_mm=length,
        tube_frame=int(np.argmax(lengths)) if length > 0 else None,
        lengths_mm=tuple(lengths),
        solid_length_mm=max(solid),
        solid_lengths_mm=tuple(solid),
        course_by_uterus_mm=by_uterus_mm,
        course_elongation=course,
        main_share=main_share,
        main_growth=main_growth,
        main_median_z=main_median_z,
        thick_area_mm2=tuple(thick_areas),
        cornual_area_mm2=cornual,
        max_width_mm=width,
        dense_fraction=dense,
        elongation=elongation,
        components=int(components),
        growth=growth,
        median_z=median_z,
        branch_ends=ends,
        detached=bool(length > 0 and detached[int(np.argmax(lengths))]),
        from_cornu_mm=from_cornu_lengths[int(np.argmax(lengths))] if length > 0 else 0.0,
        faint_link_mm=links[int(np.argmax(lengths))] if length > 0 else 0.0,
        beside_area_mm2=beside,
        first_tube_frame=filled[0] if filled else None,
        first_spill_frame=first_spill,
        spill_shared=shared,
        spill_off_known_end=bool(off_known_end) and int(np.argmax(thick_areas)) in off_known_end,
        footprint=footprint,
        spill_patch=thick_masks[first_spill] if first_spill is not None else None,
        thick_stack=thick_stack,
        spill_washout=(
            _washout(z, thick_masks[first_spill], first_spill) if first_spill is not None else 0.0
        ),
    )


def _washout(z: FloatArray, patch: BoolArray, frame: int) -> float:
    """Fraction of the contrast on ``patch`` in ``frame`` gone from it in the last frame."""
    if not patch.any():
        return 0.0
    seen = float(np.median(z[frame][patch]))
    if seen <= 0:
        return 0.0
    left = float(np.median(z[-1][patch]))
    return max(0.0, 1.0 - max(0.0, left) / seen)


def line_passing_cornu(
    column: BoolArray, cornu: tuple[float, float], mm: float, heading_mm: float = 8.0
) -> tuple[float, float] | None:
    """How a traced line meets its cornu: its nearest distance, and where its near end points.

    A tube leaves its cornu: where its first part is too faint to see, its visible part still
    starts at a gap from the cornu and points back at it. A line whose near end points away
    from the cornu (more than 90 degrees off) passes it rather than leaving it.

    Parameters
    ----------
    column
        The traced line (no spill), one frame.
    cornu
        The cornual point, (row, col).
    mm
        Pixel size.
    heading_mm
        Length of line over which the direction of its near end is taken.

    Returns
    -------
    tuple of float or None
        Nearest distance from the cornu to the line (mm), and the angle (degrees) between the
        direction in which the line's end nearest the cornu points and the direction to the
        cornu; ``None`` for an empty line or one without ends.
    """
    if not column.any():
        return None
    cr, cc = cornu
    box = bounding_box(column, 2)
    assert box is not None
    rows, cols = np.indices(column.shape)
    dist = np.hypot(rows - cr, cols - cc) * mm
    # The piece of line nearest the cornu (pieces a pixel or two apart are one line).
    labels, _count = ndi.label(dilate_in_box(column, 2))
    nearest = np.unravel_index(int(np.argmin(np.where(column, dist, np.inf))), column.shape)
    piece = (labels == labels[nearest]) & column
    skeleton = np.zeros_like(column)
    skeleton[box] = skeletonize(piece[box])
    neighbours = ndi.convolve(skeleton.astype(np.int32), np.ones((3, 3), dtype=np.int32))
    ends = np.argwhere(skeleton & (neighbours == 2))
    if len(ends) == 0:
        return None
    end = min(ends, key=lambda p: float(dist[p[0], p[1]]))
    points = np.argwhere(skeleton)
    near_end = points[np.hypot(*(points - end).T) * mm < heading_mm]
    heading = end - near_end.mean(axis=0)
    to_cornu = np.array([cr, cc]) - end
    norm = float(np.hypot(*heading) * np.hypot(*to_cornu))
    if norm == 0.0:
        return float(dist[nearest]), 0.0
    angle = float(np.degrees(np.arccos(np.clip(float(heading @ to_cornu) / norm, -1.0, 1.0))))
    return float(dist[nearest]), angle


def _unexplained_reason(r: TubeReading, side_name: str) -> str:
    return (
        f"but contrast lies in the peritoneum on the {side_name} side "
        f"({r.unexplained_area_mm2:.0f} mm2) away from both tubes: it may have spilled from "
        "a part of the tube too faint to follow, so occlusion is not shown"
    )


def _fate_unseen(
    r: TubeReading, side_name: str, shape: str, width: float | None, reasons: list[str]
) -> TubeFinding:
    """A hydrosalpinx-shaped collection on one image only (``TubeRules.sac_min_frames``)."""
    reasons.append(
        f"the distal {side_name} tube ends in {shape} ({r.max_width_mm:.0f} mm wide), a "
        "dilated, blocked ampulla's shape, but it shows on one image only: whether it "
        "retains contrast (hydrosalpinx) or spreads as spill cannot be seen; patency cannot "
        "be called (a delayed film would tell)"
    )
    return TubeFinding("indeterminate", None, False, width, "indeterminate", 0.3, tuple(reasons))


def decide_tube(
    r: TubeReading,
    side_name: str,
    frames: int,
    rules: TubeRules = TUBE_RULES,
    cavity_z: float | None = None,
    cavity_first_frame: int | None = None,
    single_cornu: bool = False,
) -> TubeFinding:
    """Patency, spill, occlusion site and hydrosalpinx of one tube, with the reasons.

    Parameters
    ----------
    r
        What :func:`read_side` measured.
    side_name
        "right" or "left", for the reasons.
    frames
        Number of frames in the series.
    rules
        Thresholds.
    cavity_z
        Median contrast of the filled cavity (same units as ``r.median_z``), or None. The
        same contrast medium fills cavity, tubes and peritoneum, so the ratio of a
        collection's contrast to the cavity's is its thickness in relative terms, whatever
        the dose, noise or contrast concentration.
    cavity_first_frame
        First frame with contrast in the cavity, or None. Contrast fills the cavity, then the
        tubes, then spills (the stages of an HSG, StatPearls article): contrast beyond the
        tube that is there as soon as the cavity fills did not spill from it.
    single_cornu
        Both cornual points lie within :data:`SINGLE_CORNU_MM` of each other: the cavity
        ends in one horn tip (a unicornuate uterus), from which both sides' contrast leaves.
    """
    if frames < 3:
        return TubeFinding(
            "indeterminate",
            None,
            False,
            None,
            "indeterminate",
            0.2,
            (f"only {frames} frame(s): the filling of the {side_name} tube cannot be followed",),
        )
    thick = max(r.thick_area_mm2, default=0.0)
    width = round(r.max_width_mm, 1) if r.max_width_mm > 0 else None
    # Faint, smoothed evidence may extend a tube but cannot make one: a column needs some
    # solid contrast to be called a tube at all, and a full one to carry spill.
    min_length = rules.segment_min_length_mm if r.detached else rules.tube_min_length_mm
    if r.length_mm < min_length or r.solid_length_mm < min_length / 2:
        if r.cornual_area_mm2 >= rules.spill_min_area_mm2:
            return TubeFinding(
                "indeterminate",
                None,
                False,
                None,
                "indeterminate",
                0.3,
                (
                    f"contrast collects near the {side_name} cornu "
                    f"({r.cornual_area_mm2:.0f} mm2) but no {side_name} tube is seen leaving "
                    "it: cannot tell spill from a blocked or dilated tube",
                ),
            )
        seen_none = f"no {side_name} tube seen beyond the cornu in any of {frames} frames"
        if r.unexplained_area_mm2 >= rules.unexplained_min_mm2:
            return TubeFinding(
                "indeterminate",
                None,
                False,
                None,
                "indeterminate",
                0.3,
                (seen_none, _unexplained_reason(r, side_name)),
            )
        return TubeFinding("occluded", "proximal", False, None, "none", 0.8, (seen_none,))
    if r.detached and r.from_cornu_mm >= rules.tube_min_length_mm:
        reasons = [
            f"{side_name} tube fills from the cornu ({r.from_cornu_mm:.0f} mm traced) and shows "
            f"again farther out after a gap ({r.solid_length_mm:.0f} mm in all)"
        ]
    elif r.detached:
        reasons = [
            f"the proximal {side_name} tube is not seen (too faint to show); its distal part "
            f"fills ({r.solid_length_mm:.0f} mm traced)"
        ]
    elif r.faint_link_mm > 0:
        reasons = [
            f"{side_name} tube fills from the cornu ({r.solid_length_mm:.0f} mm traced, of "
            f"which a faint {r.faint_link_mm:.0f} mm stretch is followed, brighter than any "
            "decoy path)"
        ]
    else:
        reasons = [f"{side_name} tube fills from the cornu ({r.solid_length_mm:.0f} mm traced)"]
    if thick < rules.spill_min_area_mm2 and r.beside_area_mm2 >= rules.spill_min_area_mm2:
        reasons.append(
            f"contrast lies beside the {side_name} tube ({r.beside_area_mm2:.0f} mm2) but not at "
            "its traced end: cannot tell whether it spilled from this tube"
        )
        return TubeFinding("indeterminate", None, False, None, "indeterminate", 0.3, tuple(reasons))
    if thick < rules.spill_min_area_mm2:
        reasons.append(f"no spill seen from the {side_name} tube in any of {frames} frames")
        # Spill spreading on this side, far from the other tube and its own spill, out of a
        # tube that fills from the cornu (TubeRules.far_spill_min_mm).
        spreading = r.unexplained_growth >= rules.far_spill_min_growth
        # Or a thin film still there at the end (a sac is as opaque as the cavity).
        film = (
            not r.intravasation_seen
            and cavity_z is not None
            and cavity_z > 0
            and r.unexplained_growth > 0
            and 0 < r.unexplained_median_z < rules.film_max_relative_density * cavity_z
        )
        far_spill = (
            r.unexplained_area_mm2 >= rules.unexplained_min_mm2
            and not r.detached
            and r.solid_length_mm >= rules.tube_min_length_mm
            and r.other_spilled
            and r.unexplained_far_mm >= rules.far_spill_min_mm
            and (spreading or film)
        )
        if far_spill:
            how = (
                f"{r.unexplained_growth:.1f} times larger in the last frame"
                if spreading
                else "a thin film, still there in the last frame"
            )
            reasons[-1] = (
                f"free spill lies on the {side_name} side ({r.unexplained_area_mm2:.0f} mm2, "
                f"{how}), {r.unexplained_far_mm:.0f} mm from the other tube, which spills "
                f"from its own end: it can only have come from the {side_name} tube, whose "
                "far end is too faint to follow"
            )
            return TubeFinding("patent", None, False, None, "free", 0.5, tuple(reasons))
        if r.unexplained_area_mm2 >= rules.unexplained_min_mm2:
            reasons.append(_unexplained_reason(r, side_name))
            return TubeFinding(
                "indeterminate", None, False, None, "indeterminate", 0.3, tuple(reasons)
            )
        conf = 0.55 if r.detached else 0.75
        return TubeFinding("occluded", "distal", False, None, "none", conf, tuple(reasons))
    tube_like = r.components == 1 and r.branch_ends <= 2 and r.elongation >= 2.0
    # One unbranched, elongated part holding nearly all the contrast (SAC_MAIN_SHARE) has a
    # dilated ampulla's shape whatever flecks lie beside it: a hydrosalpinx with a 5% fleck,
    # on a rotated image, was read as patchy free spill (a false reassurance, robustness
    # benchmark). It is not called a sac either: streaks of spill take that shape too.
    sac_with_flecks = (
        r.components > 1
        and r.main_share >= SAC_MAIN_SHARE
        and r.branch_ends <= 2
        and r.elongation >= 2.0
    )
    # A dilated tube is a column of contrast as deep as the cavity's; a faint one may be a
    # streak of free spill (TubeRules.hydro_min_relative_density).
    relative = r.median_z / cavity_z if cavity_z is not None and cavity_z > 0 else None
    faint_for_a_sac = relative is not None and relative < rules.hydro_min_relative_density
    if tube_like and r.max_width_mm >= rules.hydro_min_width_mm and faint_for_a_sac:
        reasons.append(
            f"the distal {side_name} tube ends in one unbranched, elongated structure "
            f"({r.max_width_mm:.0f} mm wide), but it is faint ({relative:.2f} of "
            "the cavity's contrast): a dilated, blocked tube holds contrast as deep as the "
            "cavity's, while this may be a streak of free spill or a narrow blocked end; "
            "patency cannot be called"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.3, tuple(reasons)
        )
    # The collection's fate, retained or spreading, needs two images (TubeRules.sac_min_frames).
    fate_unseen = sum(area > 0 for area in r.thick_area_mm2) < rules.sac_min_frames
    if tube_like and r.max_width_mm >= rules.hydro_min_width_mm:
        if fate_unseen:
            return _fate_unseen(r, side_name, "one unbranched, elongated structure", width, reasons)
        reasons.append(
            f"the distal {side_name} tube widens into one unbranched, elongated, clubbed "
            f"structure ({r.max_width_mm:.0f} mm wide) that does not spread"
        )
        return TubeFinding("occluded", "distal", True, width, "none", 0.65, tuple(reasons))
    # Free spill is a film a millimetre or two thick: far fainter than the cavity, however
    # grainy it looks at low dose. A dilated ampulla or a pool is as opaque as the cavity.
    thin_film = (
        cavity_z is not None
        and cavity_z > 0
        and r.median_z < rules.film_max_relative_density * cavity_z
    )
    # A collection as opaque as the cavity is no film, however uneven its texture: the
    # texture measure bends with the display curve (a hydrosalpinx at 0.8 of the cavity's
    # contrast read as patchy free spill under a steeper curve, robustness benchmark).
    as_opaque_as_cavity = (
        cavity_z is not None
        and cavity_z > 0
        and r.median_z >= rules.cavity_like_relative_density * cavity_z
    )
    patchy = (r.dense_fraction < rules.dense_fraction and not as_opaque_as_cavity) or thin_film
    # A dense, round pool beyond the tube is loculated spill (TubeRules.pool_max_elongation):
    # whether it is this tube's spill is decided as for free spill.
    pool = (
        not patchy
        and r.max_width_mm >= rules.pool_min_width_mm
        and r.elongation <= rules.pool_max_elongation
    )
    beyond = "a dense pool" if pool else "patchy contrast"
    spilled = patchy or pool
    short = r.solid_length_mm < min_length
    # A short tube is read only when its spill is wide and its own (TubeRules.short_tube_min_mm).
    # Nor when the other side spilled first: spill that spreads across can reach this side
    # clear of the other tube (a false reassurance on fresh validation: a removed tube's
    # 19 mm stub, and the other tube's spill by it in the last frame only).
    short_but_clear = (
        short
        and not r.detached
        and r.clear_of_other_side
        and not r.other_spilled_first
        and r.solid_length_mm >= rules.short_tube_min_mm
        and thick >= 4 * rules.spill_min_area_mm2
        and r.max_width_mm >= rules.spill_min_width_mm
    )
    if (
        patchy
        and sac_with_flecks
        and r.max_width_mm >= rules.hydro_min_width_mm
        and not faint_for_a_sac
    ):
        reasons.append(
            f"the {side_name} tube ends in one unbranched, elongated part ({r.max_width_mm:.0f} "
            f"mm wide, {r.elongation:.1f} times as long as wide) holding "
            f"{100 * r.main_share:.0f}% of the contrast beyond it, with flecks beside it: a "
            "dilated, blocked ampulla's shape, or a streak of spill; patency cannot be called"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    if patchy and short and not short_but_clear:
        reasons.append(
            f"contrast spreads beyond the {side_name} tube ({thick:.0f} mm2), but the tube is "
            "too faint to follow with confidence: spill cannot be attributed to it"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    if patchy and short_but_clear and not r.other_tube_seen:
        # Clear of the other side means little when the other tube does not show at all: it
        # may run out of sight (behind the cavity) and spill here (a false reassurance on
        # fresh hard validation: spill by the cornu of a removed tube, 17 mm of it "tube").
        reasons.append(
            f"wide spill ({thick:.0f} mm2) leaves the {r.solid_length_mm:.0f} mm of the "
            f"{side_name} tube that shows, but the other tube does not show at all: it may "
            f"run out of sight and spill here, so spill cannot be attributed to the "
            f"{side_name} tube"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    # A little spill (TubeRules.small_spill_min_width_mm): read only when it can be this
    # tube's alone.
    small_but_own = (
        r.max_width_mm >= rules.small_spill_min_width_mm
        and r.elongation < rules.small_spill_max_elongation
        and bool(r.thick_area_mm2)
        and r.thick_area_mm2[-1] > 0
        and r.clear_of_other_side
        and not r.other_spilled_first
        and r.other_spilled
    )
    small = r.max_width_mm < rules.spill_min_width_mm
    if patchy and small and not small_but_own:
        reasons.append(
            f"a little patchy contrast ({thick:.0f} mm2, {r.max_width_mm:.0f} mm across) by the "
            f"{side_name} tube: too small to be sure it is spill"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    if spilled and r.detached and not r.clear_of_other_side:
        # Spill must be seen *from* the tube: a visible part that is not continuous with the
        # cornu may be the other tube's loop or spill lying in streaks (both seen in testing).
        reasons.append(
            f"{beyond} lies beyond it ({thick:.0f} mm2), but the visible part is not "
            f"continuous with the {side_name} cornu: spill cannot be attributed to it"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    if (
        spilled
        and r.other_spilled_first
        and r.first_tube_frame is not None
        and r.first_tube_frame == r.first_spill_frame
        and r.course_by_uterus_mm >= rules.late_tube_max_by_uterus_mm
    ):
        reasons.append(
            f"{beyond} lies beyond the {side_name} tube ({thick:.0f} mm2), but that tube shows "
            "first with it, after the other side had spilled, and "
            f"{r.course_by_uterus_mm:.0f} mm of it runs along the uterus: it may be the other "
            "tube's spill spreading over the uterus, and spill cannot be attributed to it"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    if spilled and single_cornu and not r.clear_of_other_side:
        # One horn tip for both sides (a unicornuate cavity): the side map cannot part the
        # tubes where they leave it, and contrast that meets the other side's before it
        # spills may be the other tube's (seen in testing).
        reasons.append(
            f"{beyond} lies beyond the {side_name} tube ({thick:.0f} mm2), but both "
            f"sides leave one horn tip and the {side_name} contrast meets the other side's "
            "before it spills: spill cannot be attributed to it"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    if (
        spilled
        and cavity_first_frame is not None
        and r.first_spill_frame is not None
        and r.first_spill_frame <= cavity_first_frame
    ):
        reasons.append(
            f"{beyond} lies beyond the {side_name} tube ({thick:.0f} mm2), but it is "
            "already there when the cavity first fills, before a tube could spill: it may be "
            "intravasation or overlying contrast, and spill cannot be attributed to the tube"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    if (
        spilled
        and r.thick_area_mm2
        and r.thick_area_mm2[-1] == 0
        and r.spill_washout >= rules.spill_max_washout
    ):
        reasons.append(
            f"{beyond} showed beyond the {side_name} tube ({thick:.0f} mm2), but it has gone "
            f"from its place by the last frame ({100 * r.spill_washout:.0f}% of its contrast): "
            "free spill stays in the peritoneum, while intravasation, or contrast draining "
            "back from a blocked tube, washes out; spill from this tube is not shown"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    if spilled and r.other_end_hidden:
        reasons.append(
            f"{beyond} lies beyond the {side_name} tube ({thick:.0f} mm2), but close to the "
            "cavity and canal, behind which the other tube runs out of sight: it may be that "
            "tube's spill"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    if spilled and r.other_may_emerge:
        reasons.append(
            f"{beyond} lies beyond the {side_name} tube ({thick:.0f} mm2), but only "
            f"{r.solid_length_mm:.0f} mm of that tube shows, from the cavity's edge, while the "
            "other tube runs out of sight behind the cavity with no spill of its own: this may "
            "be that tube coming out on this side, and its spill"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    if spilled and r.other_tube_unseen:
        reasons.append(
            f"{beyond} lies beyond the {side_name} tube ({thick:.0f} mm2), but close to the "
            "cavity and canal, and the other side shows neither tube nor spill: the other "
            "tube, too faint to see, may run behind the uterus, and this be its spill"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    if spilled and r.ends_at_other_cornu:
        reasons.append(
            f"{beyond} lies by the {side_name} cornu ({thick:.0f} mm2), but the tube traced "
            f"from it ends by the other cornu: it may be the other tube, crossing over the "
            f"fundus, and its spill; spill cannot be attributed to the {side_name} tube"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    if spilled and r.spill_at_other_end:
        reasons.append(
            f"{beyond} lies beyond the {side_name} tube ({thick:.0f} mm2), but the "
            f"{side_name} tube shows only once contrast is there, or the other tube has "
            "spilled, and it lies at the end of the other tube, which filled before: it may "
            "be that tube's spill"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    if spilled and r.spill_shared:
        # Spill is seen *from* a tube only when it starts at that tube: contrast that, from
        # its first appearance, runs on into the other side's contrast may be the other
        # tube's loop or spill lying by this tube's end (both seen in testing).
        reasons.append(
            f"{beyond} lies beyond the {side_name} tube ({thick:.0f} mm2), but from "
            "its first appearance it runs on into contrast of the other side: spill cannot "
            f"be attributed to the {side_name} tube"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    if spilled and r.spill_off_known_end:
        reasons.append(
            f"{beyond} lies beyond the {side_name} tube ({thick:.0f} mm2), but only by a "
            f"branch that joined the {side_name} tube after it had filled, not by the end it "
            "showed then: it may be the other tube's spill spreading to this cornu"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    # Held along its course too: a dilated ampulla curled into a hook (a hydrosalpinx called
    # free spill on fresh validation: 1.95 on its ellipse, 3.05 along its course).
    # Other contrast showing elsewhere (the other side's spill reaching across) does not make
    # a collection that keeps its size spread (a hydrosalpinx called free spill on a
    # processed, high-gamma image: its sac 300 mm2 in both frames, a 100 mm2 patch beside it
    # in the last).
    # A main part that is only long along its course (curled) was free spill too often for
    # this (4 correct calls of 1,600 lost on fresh validation); on its ellipse it is not.
    # A dilated ampulla fills, then holds: on the first image it shows it may be half filled
    # (a hydrosalpinx curled into a hook called free spill on a fresh set: 65 mm2 on its
    # first image, then 300 and 299). Free spill goes on spreading after it first shows;
    # from the second image on, the collection's growth is its own (3 correct calls of
    # 3,700 tubes on nine sets became indeterminate, two of them loculated spill).
    seen_areas = [area for area in r.thick_area_mm2 if area > 0]
    settled_growth = (
        seen_areas[-1] / seen_areas[1] if len(seen_areas) >= 3 and seen_areas[1] > 0 else r.growth
    )
    one_held = (
        r.components == 1
        and min(r.growth, settled_growth) < rules.spill_min_growth
        and max(r.elongation, r.course_elongation) >= 2.0
    )
    main_held = (
        r.main_share >= HELD_MAIN_SHARE
        and r.main_growth < rules.spill_min_growth
        and r.elongation >= 2.0
    )
    # A main part denser than a film of spill (TubeRules.film_max_relative_density) that
    # keeps its size is a retained collection whatever else shows beside it: free spill is
    # a thin film that spreads. Two false reassurances on development data: a curled
    # hydrosalpinx, C-shaped, 1.9 times as long as wide, the other side's spill reaching it
    # in the last frame and diluting the measures of the whole; and, at hard realism, a
    # small curled sac at 0.62 of the cavity's contrast among patches of spill. (One
    # loculated pool called patent before became indeterminate, of 2,400 tubes.)
    dense_held = (
        r.main_share > 0
        and r.main_growth < rules.spill_min_growth
        and cavity_z is not None
        and cavity_z > 0
        and r.main_median_z >= rules.film_max_relative_density * cavity_z
    )
    held = (one_held or main_held or dense_held) and sum(area > 0 for area in r.thick_area_mm2) >= 2
    # A tube ending in a dilated sac (dense, wide, elongated) with patchy contrast in other
    # parts beside it: spill leaves a tube only at its end, and a blind sac has none; the
    # patches may be the other tube's spill (two false reassurances on development data).
    sac_among_patches = (
        r.components >= 2
        and r.main_share < HELD_MAIN_SHARE
        and cavity_z is not None
        and cavity_z > 0
        and r.main_median_z >= rules.film_max_relative_density * cavity_z
        and r.max_width_mm >= rules.hydro_min_width_mm
        and r.elongation >= rules.hydro_min_elongation
    )
    if patchy and sac_among_patches and cavity_z:
        reasons.append(
            f"the {side_name} tube ends in a dense, elongated dilatation ({r.max_width_mm:.0f} "
            f"mm wide, {r.main_median_z / cavity_z:.2f} of the cavity's contrast), a blocked "
            "ampulla's shape, with patchy contrast in separate parts beside it: spill leaves a "
            "tube at its end, and these may be the other tube's; patency cannot be called"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    if patchy and held and dense_held and not (one_held or main_held) and cavity_z:
        reasons.append(
            f"the {side_name} tube ends in a dense collection ({r.max_width_mm:.0f} mm wide, "
            f"{r.main_median_z / cavity_z:.2f} of the cavity's contrast) that keeps its size "
            "from frame to frame, as free spill, a thin film that spreads, does not: a "
            "dilated, blocked ampulla (hydrosalpinx) or loculated spill; patency cannot be "
            "called"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    if patchy and held:
        long_by = max(r.elongation, r.course_elongation)
        reasons.append(
            f"the {side_name} tube ends in one elongated collection ({r.max_width_mm:.0f} mm "
            f"wide, {long_by:.1f} times as long as wide) that does not grow from frame to "
            "frame, as free spill does: a dilated, blocked ampulla (hydrosalpinx) or loculated "
            "spill; patency cannot be called"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    if patchy:
        if short:
            reasons.append(
                f"only {r.solid_length_mm:.0f} mm of the {side_name} tube shows (the rest too "
                "faint), but wide spill leaves its end and keeps clear of the other side"
            )
        if small:
            reasons.append(
                f"a little patchy contrast ({thick:.0f} mm2, {r.max_width_mm:.0f} mm across) "
                f"leaves the {side_name} tube and stays to the last frame, clear of the other "
                "tube, which spills from its own end: a small free spill"
            )
        else:
            reasons.append(
                f"patchy contrast spreads beyond the {side_name} tube ({thick:.0f} mm2): free spill"
            )
        conf = 0.6 + 0.35 * min(1.0, thick / (4 * rules.spill_min_area_mm2))
        if r.detached:
            conf *= 0.8
        if short:
            conf *= 0.75
        if small:
            conf *= 0.8
        return TubeFinding("patent", None, False, width, "free", round(conf, 3), tuple(reasons))
    # A dilated ampulla is one unbranched tube end: its skeleton has the two ends of a tube
    # and perhaps a spur at the bulb (TubeRules.sac_max_branch_ends).
    clubbed = (
        r.elongation >= rules.sac_min_elongation and r.branch_ends <= rules.sac_max_branch_ends
    )
    # A dilated ampulla curled into a hook is short on its ellipse but long along its course;
    # a loculated pool is not, and where it is, its outline branches (TubeRules.sac_curled_*).
    curled = (
        r.elongation >= rules.hydro_min_elongation
        and r.course_elongation >= rules.sac_curled_min_course_elongation
        and r.branch_ends <= rules.sac_curled_max_branch_ends
    )
    if r.max_width_mm >= rules.hydro_min_width_mm and (clubbed or curled):
        if fate_unseen:
            shape = "a dense, elongated collection" if clubbed else "a dense, curled collection"
            return _fate_unseen(r, side_name, shape, width, reasons)
        if clubbed:
            sac = f"a dense, elongated, clubbed dilatation ({r.max_width_mm:.0f} mm wide)"
            conf = 0.7
        else:
            sac = (
                f"a dense, unbranched dilatation curled on itself ({r.max_width_mm:.0f} mm "
                f"wide, {r.course_elongation:.1f} times as long as wide along its course)"
            )
            conf = 0.6
        reasons.append(f"the distal {side_name} tube ends in {sac} without spreading contrast")
        return TubeFinding("occluded", "distal", True, width, "none", conf, tuple(reasons))
    if pool:
        # A round pool is not enough to call the tube patent (TubeRules.pool_max_elongation):
        # a hydrosalpinx whose dilated ampulla curls on itself looks the same (seen on unseen
        # anatomy, a false reassurance), and this is a known pitfall of HSG reading.
        reasons.append(
            f"the {side_name} tube ends in a dense, round collection ({r.max_width_mm:.0f} mm "
            f"across, {r.elongation:.1f} times as long as wide) that does not spread: loculated "
            "spill, or a hydrosalpinx folded on itself, cannot be told apart on these images "
            "(a delayed film or ultrasound may); patency cannot be called"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    if r.max_width_mm >= rules.hydro_min_width_mm and r.branch_ends > rules.sac_max_branch_ends:
        reasons.append(
            f"a dense collection at the end of the {side_name} tube ({thick:.0f} mm2, "
            f"{r.max_width_mm:.0f} mm wide) branches ({r.branch_ends} end points): a dilated, "
            "blocked ampulla is one unbranched tube end, while this may be dense spill, free or "
            "loculated, that has not yet spread; patency cannot be called"
        )
        return TubeFinding(
            "indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons)
        )
    reasons.append(
        f"a dense, compact collection at the end of the {side_name} tube ({thick:.0f} mm2, "
        f"{r.max_width_mm:.0f} mm wide, {r.elongation:.1f} times as long as wide) could be "
        "loculated spill or a dilated, blocked ampulla: patency cannot be called (a delayed "
        "film or ultrasound may tell them apart)"
    )
    return TubeFinding("indeterminate", None, False, width, "indeterminate", 0.35, tuple(reasons))
