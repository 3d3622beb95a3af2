"""The tube rules on measured readings: what makes a tube patent, occluded or indeterminate."""

from __future__ import annotations

from dataclasses import replace

from openhsg.analysis.tubes import TubeReading, decide_tube

# A tube traced 90 mm from its cornu in frame 3, with a 15 mm wide collection beyond it in
# frames 4 and 5.
_BASE = TubeReading(
    length_mm=90.0,
    tube_frame=3,
    lengths_mm=(0.0, 0.0, 40.0, 90.0, 90.0, 90.0),
    solid_length_mm=90.0,
    thick_area_mm2=(0.0, 0.0, 0.0, 0.0, 400.0, 800.0),
    cornual_area_mm2=0.0,
    max_width_mm=15.0,
    dense_fraction=0.6,  # grainy at low dose: looks homogeneous
    elongation=1.3,
    components=2,
    growth=2.0,
    median_z=6.0,
    branch_ends=5,
    first_tube_frame=2,
    first_spill_frame=4,
)


def test_a_faint_film_beyond_the_tube_is_free_spill_even_when_grainy() -> None:
    f = decide_tube(_BASE, "right", 6, cavity_z=40.0)  # a sixth of the cavity's density
    assert f.patency == "patent"
    assert f.spill == "free"


def test_a_dense_collection_neither_round_nor_tubular_is_never_called_patent() -> None:
    # As dense as the cavity: not a film of free spill. 1.5 times as long as wide: it may be a
    # pool or a short, dilated ampulla.
    f = decide_tube(replace(_BASE, elongation=1.5, branch_ends=2), "right", 6, cavity_z=6.5)
    assert f.patency == "indeterminate"
    assert "loculated spill or a dilated, blocked ampulla" in f.reasons[-1]


def test_without_the_cavity_density_texture_decides_and_stays_safe() -> None:
    f = decide_tube(replace(_BASE, elongation=1.5), "right", 6, cavity_z=None)
    assert f.patency != "patent"


def test_a_dense_round_pool_at_the_tube_end_is_never_called_patent() -> None:
    # Loculated spill, or a hydrosalpinx curled on itself (a false reassurance on fresh
    # studies): the shape alone cannot tell them apart, so both readings are named.
    f = decide_tube(replace(_BASE, elongation=1.2), "right", 6, cavity_z=6.5)
    assert (f.patency, f.spill, f.hydrosalpinx) == ("indeterminate", "indeterminate", False)
    assert "loculated spill, or a hydrosalpinx folded on itself" in f.reasons[-1]


def test_a_dense_elongated_unbranched_collection_is_a_hydrosalpinx_not_a_pool() -> None:
    f = decide_tube(replace(_BASE, elongation=2.2, branch_ends=3), "right", 6, cavity_z=6.5)
    assert (f.patency, f.occlusion_site, f.hydrosalpinx) == ("occluded", "distal", True)


def test_a_dense_collection_barely_longer_than_wide_is_not_called_a_hydrosalpinx() -> None:
    # 1.7 times as long as wide: on development data as often loculated spill as a sac.
    f = decide_tube(replace(_BASE, elongation=1.7, branch_ends=2), "right", 6, cavity_z=6.5)
    assert (f.patency, f.hydrosalpinx) == ("indeterminate", False)
    assert "1.7 times as long as wide" in f.reasons[-1]
    assert "loculated spill or a dilated, blocked ampulla" in f.reasons[-1]


def test_a_hydrosalpinx_shaped_collection_on_the_last_image_only_is_not_called() -> None:
    # Hard benchmark, seed 424242 study-0011 left: free spill just leaving the tube on the
    # last image, a dense, unbranched structure 10 mm wide and 2.6 times as long as wide,
    # was called a hydrosalpinx. Whether it retains contrast or spreads needs a second image.
    once = (0.0, 0.0, 0.0, 0.0, 0.0, 164.0)
    shapes = {
        "clubbed structure": dict(components=1, elongation=2.6, branch_ends=2, max_width_mm=10.0),
        "clubbed dilatation": dict(elongation=2.2, branch_ends=3),
        "curled": dict(elongation=1.7, course_elongation=2.9, branch_ends=2),
    }
    for name, shape in shapes.items():
        held = replace(_BASE, **shape, thick_area_mm2=(0.0, 0.0, 0.0, 0.0, 160.0, 164.0))
        seen = decide_tube(held, "left", 6, cavity_z=6.5)
        assert (seen.patency, seen.hydrosalpinx) == ("occluded", True), name
        f = decide_tube(replace(held, thick_area_mm2=once, growth=1.0), "left", 6, cavity_z=6.5)
        assert (f.patency, f.hydrosalpinx, f.spill) == ("indeterminate", False, "indeterminate")
        assert "shows on one image only" in f.reasons[-1], name


def test_a_dense_unbranched_collection_long_along_its_course_is_a_curled_hydrosalpinx() -> None:
    # Benchmark seed 424242 study-0021 left: a dilated ampulla curled into a hook, 1.7 times as
    # long as wide on its ellipse, 2.9 along its skeleton, two end points.
    hook = replace(_BASE, elongation=1.7, course_elongation=2.9, branch_ends=2)
    f = decide_tube(hook, "left", 6, cavity_z=6.5)
    assert (f.patency, f.occlusion_site, f.hydrosalpinx) == ("occluded", "distal", True)
    assert "2.9 times as long as wide along its course" in f.reasons[-1]
    # A pool as long along its course but with a third end point (its outline branches), or
    # a rounder pool, stays indeterminate: loculated spill looks the same.
    for pool in (replace(hook, branch_ends=3), replace(hook, course_elongation=2.2)):
        g = decide_tube(pool, "left", 6, cavity_z=6.5)
        assert (g.patency, g.hydrosalpinx) == ("indeterminate", False)
    # Below the elongation a dilated end needs on its ellipse, whatever its course: a pool.
    round_ = decide_tube(replace(hook, elongation=1.45), "left", 6, cavity_z=6.5)
    assert round_.patency == "indeterminate"


def test_a_dense_branched_collection_is_not_called_a_hydrosalpinx() -> None:
    # A dilated ampulla is one tube end; five skeleton ends are spill, however dense it looks
    # (free spill under a logarithmic display curve, robustness benchmark).
    f = decide_tube(replace(_BASE, elongation=2.5, branch_ends=5), "right", 6, cavity_z=6.5)
    assert (f.patency, f.hydrosalpinx) == ("indeterminate", False)
    assert "branches (5 end points)" in f.reasons[-1]


def test_a_small_round_collection_is_not_called_a_pool() -> None:
    # Under a centimetre across: a small dilated end, seen end on, looks the same.
    f = decide_tube(replace(_BASE, elongation=1.0, max_width_mm=7.0), "right", 6, cavity_z=6.5)
    assert f.patency == "indeterminate"


def test_a_pool_must_be_this_tubes_spill_like_any_spill() -> None:
    pool = replace(_BASE, elongation=1.2)
    cases = (
        replace(pool, spill_shared=True),
        replace(pool, detached=True, clear_of_other_side=False),
        replace(pool, first_spill_frame=1),
    )
    for r in cases:
        f = decide_tube(r, "left", 6, cavity_z=6.5, cavity_first_frame=1)
        assert f.patency == "indeterminate", r
        assert "a dense pool lies beyond" in " ".join(f.reasons)
    f = decide_tube(pool, "left", 6, cavity_z=6.5, single_cornu=True)
    assert f.patency == "indeterminate"


def test_spill_beyond_a_part_not_continuous_with_the_cornu_is_not_attributed() -> None:
    # Proximal tube invisible, or a gap: the visible distal part could be the other tube's
    # loop or spill lying in streaks, so spill beyond it never makes this tube patent.
    for first_tube in (3, 4):
        r = replace(_BASE, detached=True, first_tube_frame=first_tube, first_spill_frame=4)
        f = decide_tube(r, "left", 6, cavity_z=40.0)
        assert f.patency == "indeterminate"
        assert any("cannot be attributed" in reason for reason in f.reasons)


def test_no_tube_beyond_the_cornu_is_a_proximal_occlusion() -> None:
    r = replace(
        _BASE,
        length_mm=5.0,
        solid_length_mm=5.0,
        lengths_mm=(0.0,) * 6,
        thick_area_mm2=(0.0,) * 6,
        first_tube_frame=None,
        first_spill_frame=None,
    )
    f = decide_tube(r, "right", 6, cavity_z=40.0)
    assert (f.patency, f.occlusion_site) == ("occluded", "proximal")


def test_contrast_beside_the_tube_but_not_at_its_end_is_not_an_occlusion() -> None:
    # A tube that passes near spill (of the other tube, or its own with its end not traced):
    # neither patent (not seen from its end) nor occluded (there is contrast out there).
    r = replace(_BASE, thick_area_mm2=(0.0,) * 6, beside_area_mm2=300.0, first_spill_frame=None)
    f = decide_tube(r, "left", 6, cavity_z=40.0)
    assert f.patency == "indeterminate"
    assert any("not at its traced end" in reason for reason in f.reasons)
    r_none = replace(r, beside_area_mm2=0.0)
    assert decide_tube(r_none, "left", 6, cavity_z=40.0).occlusion_site == "distal"


def test_contrast_present_when_the_cavity_first_fills_is_not_spill() -> None:
    # Venous intravasation around the cavity shows from the first filled frame, before any
    # tube could have filled and spilled: it must not make the tube patent.
    early = replace(_BASE, first_tube_frame=1, first_spill_frame=1)
    f = decide_tube(early, "right", 6, cavity_z=40.0, cavity_first_frame=1)
    assert f.patency == "indeterminate"
    assert "already there when the cavity first fills" in " ".join(f.reasons)
    # The same reading with contrast first seen after the cavity filled is free spill.
    late = decide_tube(_BASE, "right", 6, cavity_z=40.0, cavity_first_frame=1)
    assert late.patency == "patent"


def test_spill_running_into_the_other_sides_contrast_from_the_start_is_not_attributed() -> None:
    # The other tube's loop or spill lying by this tube's end must not make this tube patent.
    shared = replace(_BASE, spill_shared=True)
    f = decide_tube(shared, "left", 6, cavity_z=40.0, cavity_first_frame=1)
    assert f.patency == "indeterminate"
    assert "other side" in " ".join(f.reasons)


def test_spill_where_the_other_tube_runs_out_of_sight_is_not_attributed() -> None:
    # The other tube runs on behind the uterus: spill touching the cavity may be its own (a
    # hydrosalpinx and a proximal occlusion were called patent so in validation).
    hidden = replace(_BASE, other_end_hidden=True)
    f = decide_tube(hidden, "left", 6, cavity_z=40.0, cavity_first_frame=1)
    assert f.patency == "indeterminate"
    assert "out of sight" in " ".join(f.reasons)
    assert decide_tube(_BASE, "left", 6, cavity_z=40.0, cavity_first_frame=1).patency == "patent"


def test_far_end_of_a_tube_joined_across_a_gap_is_its_distal_part() -> None:
    # A column made of a short stump at the cornu and a long distal part joined to it from an
    # earlier frame, with nothing visible between them in this frame: the far end is distal.
    import numpy as np

    from openhsg.analysis.tubes import TUBE_RULES, _distal_end

    mm = 0.5
    column = np.zeros((80, 200), dtype=bool)
    column[40, 10:20] = True  # stump at the cornu (col 10)
    column[40, 60:180] = True  # distal part, 20 mm beyond a gap
    rows, cols = np.indices(column.shape)
    from_cornu = np.hypot(rows - 40, cols - 10) * mm
    end = _distal_end(column, column.copy(), from_cornu, 2, mm, TUBE_RULES)
    assert end.any()
    assert np.nonzero(end)[1].min() >= 60  # nothing of the stump
    assert end[40, 179]


def test_a_distal_part_clear_of_the_other_side_carries_its_spill() -> None:
    # The isthmus too thin to show: the visible distal part, which never comes near the other
    # tube or its spill before it spills, is this tube's, and so is the spill beyond it.
    alone = replace(_BASE, detached=True, clear_of_other_side=True)
    f = decide_tube(alone, "left", 6, cavity_z=40.0, cavity_first_frame=1)
    assert (f.patency, f.spill) == ("patent", "free")
    # Less sure than a tube followed from its cornu.
    followed = decide_tube(_BASE, "left", 6, cavity_z=40.0, cavity_first_frame=1)
    assert f.confidence < followed.confidence


def test_one_horn_tip_for_both_sides_needs_a_tube_clear_of_the_other() -> None:
    # A unicornuate cavity: both sides leave one horn tip. Contrast that meets the other
    # side's before it spills may be the other tube's.
    meets = decide_tube(_BASE, "left", 6, cavity_z=40.0, cavity_first_frame=1, single_cornu=True)
    assert meets.patency == "indeterminate"
    assert "one horn tip" in " ".join(meets.reasons)
    clear = replace(_BASE, clear_of_other_side=True)
    f = decide_tube(clear, "left", 6, cavity_z=40.0, cavity_first_frame=1, single_cornu=True)
    assert f.patency == "patent"


def test_contrast_on_the_side_away_from_both_tubes_forbids_an_occlusion() -> None:
    # No spill at the traced end, but a collection lies in the peritoneum on this side, away
    # from both tubes: it may have come from a part of the tube too faint to follow.
    no_spill = replace(_BASE, thick_area_mm2=(0.0,) * 6, first_spill_frame=None)
    assert decide_tube(no_spill, "right", 6, cavity_z=40.0).patency == "occluded"
    unexplained = replace(no_spill, unexplained_area_mm2=400.0)
    f = decide_tube(unexplained, "right", 6, cavity_z=40.0)
    assert f.patency == "indeterminate"
    assert "peritoneum" in " ".join(f.reasons)
    # The same for a tube not seen beyond its cornu.
    unseen = replace(unexplained, length_mm=5.0, solid_length_mm=5.0, lengths_mm=(0.0,) * 6)
    assert decide_tube(unseen, "right", 6, cavity_z=40.0).patency == "indeterminate"
    seen_nothing = replace(unseen, unexplained_area_mm2=0.0)
    assert decide_tube(seen_nothing, "right", 6, cavity_z=40.0).occlusion_site == "proximal"


def test_a_short_tube_with_wide_spill_of_its_own_is_patent_but_less_sure() -> None:
    # 15 mm of solid tube (25 mm with faint evidence, an isthmus at low dose); wide spill.
    short = replace(_BASE, solid_length_mm=15.0, length_mm=25.0, clear_of_other_side=True)
    f = decide_tube(short, "left", 6, cavity_z=40.0)
    assert (f.patency, f.spill) == ("patent", "free")
    assert f.confidence < decide_tube(_BASE, "left", 6, cavity_z=40.0).confidence
    assert "only 15 mm of the left tube shows" in " ".join(f.reasons)


def test_a_short_tube_is_not_read_when_its_spill_may_be_the_other_sides() -> None:
    short = replace(_BASE, solid_length_mm=15.0, length_mm=25.0, clear_of_other_side=True)
    for doubtful in (
        replace(short, clear_of_other_side=False),  # the other side comes near
        replace(short, max_width_mm=7.0),  # narrow contrast
        replace(short, thick_area_mm2=(0.0, 0.0, 0.0, 0.0, 60.0, 120.0)),  # little of it
        # No other tube shows at all: it may run behind the cavity and spill here (fresh
        # hard validation, seed 929: spill by the cornu of a removed tube).
        replace(short, other_tube_seen=False),
        # The other side spilled a frame earlier: its spill may have spread to this stub
        # (fresh validation, seed 971: a removed tube's stub).
        replace(short, other_spilled_first=True),
    ):
        assert decide_tube(doubtful, "left", 6, cavity_z=40.0).patency == "indeterminate"
    unseen = replace(short, other_tube_seen=False)
    reasons = " ".join(decide_tube(unseen, "left", 6, cavity_z=40.0).reasons)
    assert "the other tube does not show at all" in reasons
    # Less than half the length a tube needs is not a tube at all.
    stub = replace(short, solid_length_mm=8.0)
    assert decide_tube(stub, "left", 6, cavity_z=40.0).patency != "patent"


def test_an_elongated_collection_that_does_not_grow_is_not_free_spill() -> None:
    # Fresh hard validation (a false reassurance): a grainy hydrosalpinx, as faint as a film
    # of spill and with a ragged outline (three skeleton ends), read as patchy free spill. It
    # kept its size over two frames; free spill spreads.
    sac = replace(
        _BASE,
        dense_fraction=0.4,
        components=1,
        elongation=3.3,
        branch_ends=3,
        max_width_mm=12.0,
        thick_area_mm2=(0.0, 0.0, 0.0, 0.0, 332.0, 316.0),
        growth=0.95,
    )
    f = decide_tube(sac, "right", 6, cavity_z=54.0)
    assert f.patency == "indeterminate"
    assert "does not grow" in " ".join(f.reasons)
    # The same collection growing from frame to frame is spreading spill.
    spreading = replace(sac, thick_area_mm2=(0.0, 0.0, 0.0, 0.0, 332.0, 520.0), growth=1.57)
    assert decide_tube(spreading, "right", 6, cavity_z=54.0).patency == "patent"
    # Seen in one frame only, its growth is unknown: read as before.
    once = replace(sac, thick_area_mm2=(0.0, 0.0, 0.0, 0.0, 0.0, 316.0), growth=1.0)
    assert decide_tube(once, "right", 6, cavity_z=54.0).patency == "patent"


def test_spill_beside_the_cavity_when_the_other_side_shows_nothing_is_not_attributed() -> None:
    # The other tube, too faint to see, may run behind the uterus and spill on this side.
    unseen = replace(_BASE, other_tube_unseen=True)
    f = decide_tube(unseen, "left", 6, cavity_z=40.0, cavity_first_frame=1)
    assert f.patency == "indeterminate"
    assert "neither tube nor spill" in " ".join(f.reasons)


def test_a_collection_curled_into_a_hook_that_does_not_grow_is_not_free_spill() -> None:
    # Fresh validation (a false reassurance): a hydrosalpinx curled into a hook, 1.95 times as
    # long as wide on its ellipse but 3 times along its course, held its size over two frames.
    hook = replace(
        _BASE,
        dense_fraction=0.42,
        components=1,
        elongation=1.95,
        course_elongation=3.05,
        branch_ends=2,
        max_width_mm=12.0,
        thick_area_mm2=(0.0, 0.0, 0.0, 0.0, 285.0, 282.0),
        growth=0.99,
    )
    f = decide_tube(hook, "right", 6, cavity_z=181.0)
    assert f.patency == "indeterminate"
    assert "3.0 times as long as wide" in " ".join(f.reasons)
    # A compact cloud (short along its course too) is not held that way.
    compact = decide_tube(replace(hook, course_elongation=1.2), "right", 6, cavity_z=181.0)
    assert "does not grow" not in " ".join(compact.reasons)


def test_course_elongation_measures_a_curved_tube_along_its_length() -> None:
    import numpy as np

    from openhsg.analysis.tubes import _course_elongation

    rows, cols = np.indices((120, 120))
    ring = np.hypot(rows - 60, cols - 60)
    hook = (ring >= 30) & (ring <= 40) & (rows <= 70)  # a curled band 10 px wide
    disc = ring <= 20
    assert _course_elongation(hook) > 5.0
    assert _course_elongation(disc) < 1.5


def test_a_main_collection_that_keeps_its_size_is_held_though_other_contrast_shows() -> None:
    # A sac of 300 mm2 in both frames, a 100 mm2 patch beside it in the last: the whole grew
    # by a third, the sac did not.
    sac = replace(
        _BASE,
        dense_fraction=0.40,
        components=2,
        elongation=2.46,
        course_elongation=3.1,
        max_width_mm=14.0,
        thick_area_mm2=(0.0, 0.0, 0.0, 0.0, 305.0, 404.0),
        growth=1.32,
        main_share=0.75,
        main_growth=1.0,
    )
    f = decide_tube(sac, "left", 6, cavity_z=52.0)
    assert f.patency == "indeterminate"
    assert "does not grow" in " ".join(f.reasons)
    # Where the main part itself spreads, it is free spill.
    spreading = decide_tube(replace(sac, main_growth=1.4), "left", 6, cavity_z=52.0)
    assert spreading.patency == "patent"
    # A main part long only along its course (curled), among other parts, is not held.
    curled = decide_tube(
        replace(sac, elongation=1.7, course_elongation=5.0), "left", 6, cavity_z=52.0
    )
    assert curled.patency == "patent"


def test_a_collection_as_opaque_as_the_cavity_is_not_a_film_whatever_its_texture() -> None:
    # Robustness benchmark (seed 966, gamma 2.0): a hydrosalpinx at 0.8 of the cavity's
    # contrast, its texture measure just under the threshold, was read as patchy free spill.
    club = replace(
        _BASE,
        dense_fraction=0.41,
        components=1,
        elongation=1.62,
        course_elongation=2.86,
        branch_ends=2,
        max_width_mm=13.9,
        median_z=201.0,
        thick_area_mm2=(0.0, 0.0, 0.0, 55.0, 365.0, 358.0),
        growth=6.5,
    )
    f = decide_tube(club, "right", 6, cavity_z=249.0)
    # Unbranched and 2.9 times as long as wide along its course: the hydrosalpinx it was.
    assert (f.patency, f.occlusion_site, f.hydrosalpinx) == ("occluded", "distal", True)
    assert "curled on itself" in f.reasons[-1]
    # The same texture, faint beside the cavity and spreading, is a film of spill.
    film = decide_tube(
        replace(club, median_z=60.0, thick_area_mm2=(0.0, 0.0, 0.0, 55.0, 365.0, 720.0)),
        "right",
        6,
        cavity_z=249.0,
    )
    assert film.patency == "patent"


def test_spill_gone_from_its_place_by_the_last_frame_is_not_free_spill() -> None:
    # Fresh validation (seed 967, two false reassurances): intravasation's network at a
    # blocked tube's end read as spill in two frames, gone by the last.
    gone = replace(_BASE, thick_area_mm2=(0.0, 0.0, 400.0, 800.0, 0.0, 0.0), spill_washout=0.95)
    f = decide_tube(gone, "left", 6, cavity_z=40.0)
    assert f.patency == "indeterminate"
    assert "gone from its place by the last frame (95% of its contrast)" in " ".join(f.reasons)
    # Contrast still there, the tube only not traced in the last frame: still spill.
    untraced = replace(gone, spill_washout=0.3)
    assert decide_tube(untraced, "left", 6, cavity_z=40.0).patency == "patent"
    # Spill still at the tube's end in the last frame, though thinner where it began.
    spread = replace(_BASE, spill_washout=0.95)
    assert decide_tube(spread, "left", 6, cavity_z=40.0).patency == "patent"


# A little patchy contrast, 7 mm across, beyond a tube kept clear of the other side, still
# there in the last frame, while the other tube spills from its own end in the same frame.
_SMALL = replace(
    _BASE,
    thick_area_mm2=(0.0, 0.0, 0.0, 0.0, 0.0, 150.0),
    max_width_mm=7.0,
    elongation=1.6,
    first_spill_frame=5,
    clear_of_other_side=True,
    other_tube_seen=True,
    other_spilled=True,
)


def test_a_little_spill_that_can_only_be_this_tubes_is_patent_but_less_sure() -> None:
    f = decide_tube(_SMALL, "left", 6, cavity_z=40.0)
    assert (f.patency, f.spill) == ("patent", "free")
    assert "a small free spill" in f.reasons[-1]
    wide = decide_tube(replace(_SMALL, max_width_mm=12.0), "left", 6, cavity_z=40.0)
    assert wide.patency == "patent"
    assert f.confidence < wide.confidence


def test_a_little_contrast_that_may_be_a_blocked_end_or_the_others_spill_is_not_read() -> None:
    cases = {
        "narrower than 6 mm": replace(_SMALL, max_width_mm=5.5),
        "long like a blocked tube end": replace(_SMALL, elongation=3.4),
        "gone by the last frame": replace(_SMALL, thick_area_mm2=(0.0,) * 4 + (150.0, 0.0)),
        "meets the other side": replace(_SMALL, clear_of_other_side=False),
        "after the other side spilled": replace(_SMALL, other_spilled_first=True),
        "the other tube's spill not found": replace(_SMALL, other_spilled=False),
    }
    for why, r in cases.items():
        f = decide_tube(r, "left", 6, cavity_z=40.0)
        assert f.patency == "indeterminate", why
        assert "too small to be sure it is spill" in f.reasons[-1], why


# No spill at the traced end; 900 mm2 of contrast on this side, away from both tubes, 80 mm
# from the other tube where it first shows and twice as large in the last frame, while the
# other tube spills from its own end.
_FAR = replace(
    _BASE,
    thick_area_mm2=(0.0,) * 6,
    first_spill_frame=None,
    unexplained_area_mm2=900.0,
    unexplained_far_mm=80.0,
    unexplained_growth=2.0,
    other_spilled=True,
)


def test_spill_spreading_far_from_the_other_tube_is_this_tubes_though_its_end_is_faint() -> None:
    f = decide_tube(_FAR, "left", 6, cavity_z=40.0)
    assert (f.patency, f.spill) == ("patent", "free")
    assert f.confidence <= 0.5
    assert "can only have come from the left tube" in f.reasons[-1]
    assert "2.0 times larger in the last frame" in f.reasons[-1]


def test_contrast_away_from_both_tubes_that_may_be_anothers_or_a_sac_is_not_read() -> None:
    cases = {
        "near the other tube": replace(_FAR, unexplained_far_mm=25.0),
        "holds its size (a dilated tube)": replace(_FAR, unexplained_growth=1.0),
        "the other tube's spill not found": replace(_FAR, other_spilled=False),
        "only a distal part seen": replace(_FAR, detached=True),
        "only 12 mm of solid tube": replace(_FAR, solid_length_mm=12.0, length_mm=35.0),
    }
    for why, r in cases.items():
        f = decide_tube(r, "left", 6, cavity_z=40.0)
        assert f.patency == "indeterminate", why
        assert "peritoneum" in f.reasons[-1], why
    unseen = replace(_FAR, length_mm=5.0, solid_length_mm=5.0, lengths_mm=(0.0,) * 6)
    assert decide_tube(unseen, "left", 6, cavity_z=40.0).patency == "indeterminate"


def test_a_faint_elongated_structure_is_not_called_a_hydrosalpinx() -> None:
    # One unbranched structure 10 mm wide, 2.5 times as long as wide, at the tube's end.
    tubular = replace(_BASE, components=1, branch_ends=2, elongation=2.5, max_width_mm=10.0)
    sac = decide_tube(tubular, "right", 6, cavity_z=9.0)  # two thirds of the cavity's contrast
    assert (sac.patency, sac.occlusion_site, sac.hydrosalpinx) == ("occluded", "distal", True)
    streak = decide_tube(tubular, "right", 6, cavity_z=40.0)  # 0.15 of the cavity's
    assert (streak.patency, streak.hydrosalpinx) == ("indeterminate", False)
    assert "faint (0.15 of the cavity's contrast)" in streak.reasons[-1]
    # Without the cavity's contrast to compare, the shape decides as before.
    assert decide_tube(tubular, "right", 6, cavity_z=None).hydrosalpinx


def test_a_thin_film_far_from_the_other_tube_in_the_last_frame_only_is_this_tubes() -> None:
    # Shown only in the last frame (no growth to see): read when it is a thin film.
    film = replace(_FAR, unexplained_growth=1.0, unexplained_median_z=8.0)  # 0.2 of the cavity
    f = decide_tube(film, "left", 6, cavity_z=40.0)
    assert (f.patency, f.spill) == ("patent", "free")
    assert "a thin film, still there in the last frame" in f.reasons[-1]
    sac = replace(film, unexplained_median_z=30.0)  # as opaque as a dilated tube
    assert decide_tube(sac, "left", 6, cavity_z=40.0).patency == "indeterminate"
    gone = replace(film, unexplained_growth=0.0)  # not there in the last frame
    assert decide_tube(gone, "left", 6, cavity_z=40.0).patency == "indeterminate"
    assert decide_tube(film, "left", 6, cavity_z=None).patency == "indeterminate"
    network = replace(film, intravasation_seen=True)  # its threads may be the film
    assert decide_tube(network, "left", 6, cavity_z=40.0).patency == "indeterminate"


def test_an_unbranched_sac_with_flecks_beside_it_is_not_read_as_patchy_spill() -> None:
    # A hydrosalpinx on a rotated image: 95% of the contrast in one unbranched part 3.3 times
    # as long as wide, at 0.6 of the cavity's contrast, its texture measure under the threshold.
    sac = replace(
        _BASE,
        components=3,
        main_share=0.95,
        branch_ends=2,
        elongation=3.3,
        max_width_mm=12.0,
        dense_fraction=0.38,
        median_z=74.0,
        main_median_z=80.0,
        main_growth=2.0,
    )
    f = decide_tube(sac, "left", 6, cavity_z=120.0)
    assert (f.patency, f.spill) == ("indeterminate", "indeterminate")
    assert "holding 95% of the contrast" in f.reasons[-1]
    # The same shape as a faint streak (a sixth of the cavity's contrast) is spill.
    streak = decide_tube(replace(sac, median_z=20.0, main_median_z=20.0), "left", 6, cavity_z=120.0)
    assert streak.patency == "patent"


def test_a_tube_seen_only_with_its_spill_along_the_uterus_after_the_other_spilled() -> None:
    # Nothing of the tube shows before its spill, the other side spilled two frames earlier,
    # and 35 mm of its course runs along the cavity and canal: the other side's spreading
    # spill coats the uterus, so this "tube" and its patch may be that spill.
    late = replace(
        _BASE,
        lengths_mm=(0.0, 0.0, 0.0, 0.0, 90.0, 90.0),
        first_tube_frame=4,
        first_spill_frame=4,
        other_spilled_first=True,
        other_spilled=True,
        course_by_uterus_mm=35.0,
    )
    f = decide_tube(late, "left", 6, cavity_z=40.0)
    assert f.patency == "indeterminate"
    assert any("runs along the uterus" in r for r in f.reasons)
    # A tube filling late (after an antispasmodic) that leaves the uterus as tubes do, its
    # interstitial centimetre by the cornu, is patent from its own spill.
    assert (
        decide_tube(replace(late, course_by_uterus_mm=10.0), "left", 6, cavity_z=40.0).patency
        == "patent"
    )
    # So is one that showed before it spilled, whatever its course.
    shown_before = replace(late, first_tube_frame=3, lengths_mm=(0.0, 0.0, 0.0, 90.0, 90.0, 90.0))
    assert decide_tube(shown_before, "left", 6, cavity_z=40.0).patency == "patent"


def test_a_hooked_collection_half_filled_on_its_first_image_then_held_is_not_free_spill() -> None:
    # Fresh set (a false reassurance): a hydrosalpinx curled into a hook showed half filled
    # on its first image (65 mm2), then held at 300 and 299 mm2. From first to last it grew
    # 4.6 times; from its second image on it kept its size, as a sac does and spill does not.
    hook = replace(
        _BASE,
        components=1,
        elongation=1.49,
        course_elongation=3.55,
        branch_ends=2,
        max_width_mm=11.7,
        thick_area_mm2=(0.0, 0.0, 0.0, 65.0, 300.0, 299.0),
        growth=4.6,
        main_growth=4.6,
        first_spill_frame=3,
    )
    f = decide_tube(hook, "left", 6, cavity_z=133.7)
    assert f.patency == "indeterminate"
    assert "does not grow" in " ".join(f.reasons)
    # Spill that goes on spreading after its first image is free spill.
    spreading = replace(hook, thick_area_mm2=(0.0, 0.0, 0.0, 65.0, 300.0, 700.0), growth=10.8)
    assert decide_tube(spreading, "left", 6, cavity_z=133.7).patency == "patent"
