"""What each part of the scene adds to the projection: anatomy, instruments and contrast.

Attenuation layers (soft tissue, bone, gas, metal) are in units of -log(transmission); contrast
layers are path lengths in mm through contrast, scaled by the agent's attenuation later.
Sizes follow DOMAIN.md sections 2 and 3.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw
from scipy import ndimage

from openhsg.simulate.anatomy import CavityGeometry, TubeGeometry
from openhsg.simulate.geometry import (
    Detector,
    Patch,
    bounding_box,
    densify,
    ellipse_patch,
    ellipse_q,
    grid,
    plate,
    polygon_mask,
    smooth_field,
    tubular,
)
from openhsg.simulate.profiles import RealismProfile
from openhsg.simulate.scenarios import StudyPlan
from openhsg.simulate.timeline import FrameSpec

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]


def background(
    matrix: int,
    spacing: float,
    pelvis_shift: tuple[float, float],
    profile: RealismProfile,
    rng: np.random.Generator,
) -> F32:
    """Attenuation of soft tissue, pelvic bones and bowel gas (no contrast, no metal)."""
    factor = max(1, round(1.0 / spacing))
    x, y = grid(matrix, spacing, factor)
    px, py = pelvis_shift
    mu_water, mu_bone = 0.015, 0.045
    # Soft tissue: an elliptical body about 34 x 24 cm across, thickest in the middle.
    body = ellipse_q(x, y, px, py - 20, 200 * rng.uniform(0.85, 1.1), 260, 0)
    soft = 200 * rng.uniform(0.85, 1.15) * np.sqrt(np.clip(1 - body**2, 0.05, 1))
    soft *= 1 + 0.06 * smooth_field(x.shape, 8, rng)
    a = mu_water * soft
    bone = np.zeros_like(x)
    s = rng.uniform(0.9, 1.12)  # pelvis size
    for sgn in (-1.0, 1.0):
        # Iliac wing with its crest, sacroiliac region, femoral head, obturator ring.
        bone += plate(
            ellipse_q(x, y, px + sgn * 108 * s, py - 70 * s, 58 * s, 78 * s, sgn * 28),
            5.0,
            6.0,
            0.05,
        )
        bone += plate(
            ellipse_q(x, y, px + sgn * 95 * s, py + 48 * s, 24 * s, 24 * s, 0), 7.0, 5.0, 0.08
        )
        neck = ellipse_q(x, y, px + sgn * 118 * s, py + 68 * s, 30 * s, 13 * s, sgn * 35)
        bone += plate(neck, 3.0, 2.0, 0.1)
        ring = ellipse_q(x, y, px + sgn * 38 * s, py + 70 * s, 24 * s, 16 * s, sgn * 20)
        bone += 6.0 * np.exp(-(((ring - 1.0) / 0.22) ** 2))
        # Pelvic brim (iliopectineal line): a thin cortical arc on each side.
        brim = ellipse_q(x, y, px, py + 5 * s, 64 * s, 50 * s, 0)
        side = (sgn * (x - px) > 8) & (y > py - 40 * s)
        bone += 5.0 * np.exp(-(((brim - 1.0) / 0.025) ** 2)) * side
    # Sacrum: a tapering midline wedge with paired foramina; coccyx below it.
    width = np.clip((py + 10 * s - y) / (100 * s), 0, 1) * 52 * s + 10 * s
    sac = (np.abs(x - px) < width) & (y > py - 110 * s) & (y < py + 12 * s)
    sacrum = ndimage.gaussian_filter(sac.astype(float), 6 / factor / spacing) * 6.0
    for k in range(4):
        for sgn in (-1.0, 1.0):
            q = ellipse_q(
                x, y, px + sgn * (24 - 3 * k) * s, py - (85 - 22 * k) * s, 6 * s, 5 * s, 0
            )
            sacrum -= 3.0 * np.clip(1 - q**2, 0, 1)
    bone += np.clip(sacrum, 0, None)
    coccyx = ellipse_q(x, y, px, py + 26 * s, 6 * s, 12 * s, 0)
    bone += 6.0 * np.clip(1 - coccyx**2, 0, 1)
    # Pubic symphysis.
    for sgn in (-1.0, 1.0):
        q = ellipse_q(x, y, px + sgn * 9 * s, py + 68 * s, 7 * s, 20 * s, 0)
        bone += plate(q, 6.0, 4.0, 0.1)
    trabecular = ndimage.gaussian_filter(rng.normal(0, 1, x.shape), 0.6 / factor / spacing)
    bone *= 1 + 0.08 * trabecular / (trabecular.std() + 1e-9)
    a += mu_bone * ndimage.gaussian_filter(bone, 0.7 / factor / spacing)
    # Bowel gas: dark, mottled pockets, mostly above and beside the uterus.
    gas = np.zeros_like(x)
    for _ in range(int(rng.integers(*profile.gas_blobs))):
        gx = px + rng.uniform(-130, 130)
        gy = py + rng.uniform(-150, 20)
        q = ellipse_q(x, y, gx, gy, rng.uniform(6, 28), rng.uniform(5, 20), rng.uniform(0, 180))
        gas += rng.uniform(15, 45) * np.clip(1 - q**2, 0, 1)
    mottle = ndimage.gaussian_filter(rng.normal(0, 1, x.shape), 2.0 / factor / spacing)
    gas *= np.clip(1 + 3 * mottle, 0, None)
    a -= mu_water * ndimage.gaussian_filter(gas, 1.5 / factor / spacing)
    coarse = a.astype(np.float32)
    if factor == 1:
        return coarse[:matrix, :matrix]
    # Bilinear upsampling to the detector grid (Pillow's is ~6x faster than ndimage.zoom).
    n = coarse.shape[0]
    up = Image.fromarray(coarse, mode="F").resize(
        (n * factor, n * factor), Image.Resampling.BILINEAR
    )
    return np.asarray(up, dtype=np.float32)[:matrix, :matrix].copy()


def instruments(
    plan: StudyPlan, det: Detector, cavity: CavityGeometry, rng: np.random.Generator
) -> tuple[F32, F32, list[str]]:
    """Metal attenuation of the instruments and, for a balloon, the contrast it displaces.

    Returns (attenuation, displaced contrast path in mm, names).
    """
    m = det.matrix
    metal = np.zeros((m, m), np.float32)
    displaced = np.zeros((m, m), np.float32)
    names: list[str] = []
    mu_metal = 1.2
    for canal in cavity.canals:
        ext = canal[-1]
        axis = (canal[-1] - canal[0]) / np.hypot(*(canal[-1] - canal[0]))
        if plan.device == "metal_cannula":
            tip = ext - axis * rng.uniform(4, 9)
            shaft = np.linspace(tip, ext + axis * 200, 400)
            rc = det.uterus_to_px(densify(shaft, 0.3))
            chord, _ = tubular(rc, np.full(len(rc), float(det.mm_to_px(1.6))), m)
            chord.add_to(metal, mu_metal * det.spacing)
            names.append("metal cannula with acorn tip")
        else:
            tip = canal[0] - axis * (rng.uniform(2, 8) if plan.device == "balloon_catheter" else 0)
            line = np.linspace(tip, ext + axis * 200, 400)
            rc = det.uterus_to_px(densify(line, 0.3))
            chord, _ = tubular(rc, np.full(len(rc), float(det.mm_to_px(0.9))), m)
            chord.add_to(metal, 0.25 * det.spacing)  # plastic with a radiopaque stripe
            if plan.device == "balloon_catheter":
                # The balloon sits in the lower segment / upper canal and displaces contrast.
                centre = canal[0] + axis * rng.uniform(-4, 4)
                bx, by = det.uterus_to_world(centre[None, :])[0]
                r0, c0, q = ellipse_patch(
                    det,
                    float(bx),
                    float(by),
                    rng.uniform(4, 6) * det.pose.scale,
                    rng.uniform(6, 9) * det.pose.scale,
                    float(np.degrees(np.arctan2(axis[1], axis[0]))) + det.pose.rotation_deg - 90,
                    1.2,
                )
                lens = (14.0 * np.sqrt(np.clip(1 - q**2, 0, 1))).astype(np.float32)
                Patch(r0, c0, lens).add_to(displaced)
                names.append("balloon catheter")
            else:
                names.append("thin catheter with shallow acorn")
    if plan.device == "metal_cannula" or rng.random() < 0.3:
        # Tenaculum: two slim jaws meeting at the cervix, handles out of the bottom.
        ext = cavity.canals[0][-1]
        for sgn in (-1.0, 1.0):
            jaw = np.array([ext + [sgn * 5, -6], ext + [sgn * 20, 60], ext + [sgn * 30, 220]])
            rc = det.uterus_to_px(densify(jaw, 0.3))
            chord, _ = tubular(rc, np.full(len(rc), float(det.mm_to_px(1.2))), m)
            chord.add_to(metal, mu_metal * det.spacing)
        names.append("tenaculum")
    if rng.random() < 0.35:
        # Metal speculum blades below the cervix.
        ext = cavity.canals[0][-1]
        for sgn in (-1.0, 1.0):
            blade = np.array([ext + [sgn * 14, 18], ext + [sgn * 18, 220]])
            rc = det.uterus_to_px(densify(blade, 0.3))
            chord, _ = tubular(rc, np.full(len(rc), float(det.mm_to_px(3.0))), m)
            chord.add_to(metal, 0.3 * det.spacing)
        names.append("speculum")
    return metal, displaced, names


def cavity_layer(cavity: CavityGeometry, det: Detector) -> tuple[F32, NDArray[np.bool_], F32]:
    """Path length (mm) through the distended cavity, its mask, and y-rank for level filling.

    The depth profile rises over ~3.5 mm from the wall, as through a flattened lumen.
    """
    m = det.matrix
    mask = np.zeros((m, m), bool)
    outlines_px = [det.uterus_to_px(densify(outline, 0.3)) for outline in cavity.outlines]
    for outline in cavity.outlines:
        mask |= polygon_mask(det.uterus_to_px(densify(outline, 1.0)), m)
    r0, r1, c0, c1 = bounding_box(np.vstack(outlines_px), 3, m)
    dist = ndimage.distance_transform_edt(mask[r0:r1, c0:c1]) * det.spacing
    wall_mm = 3.5 * det.pose.scale
    frac = np.clip(dist / wall_mm, 0, 1)
    thickness = np.zeros((m, m), np.float32)
    thickness[r0:r1, c0:c1] = cavity.depth_mm * det.pose.scale * np.sqrt(1 - (1 - frac) ** 2)
    # Height above the internal os along the uterus axis, 0 at the os and 1 at the fundus:
    # contrast fills the cavity from the os upward.
    axis = (np.arange(m) - (m - 1) / 2) * det.spacing
    th = np.radians(det.pose.rotation_deg)
    sx, sy = det.pose.shift_mm
    local_y = (
        -(axis[None, :] - sx) * np.sin(th) + (axis[:, None] - sy) * np.cos(th)
    ) / det.pose.scale
    half = cavity.length_mm / 2
    height = np.clip((half - local_y) / (2 * half), 0, 1).astype(np.float32)
    for canal in cavity.canals:
        rc = det.uterus_to_px(densify(canal, 0.3))
        t = np.linspace(0, 1, len(rc))
        radius = float(det.mm_to_px(1.0)) * (1 + 0.6 * np.sin(np.pi * t))
        chord, _ = tubular(rc, radius, m)
        chord.data *= det.spacing
        chord.add_to(thickness)
    return thickness, mask, height


def place_defects(
    plan: StudyPlan, cavity_mask: NDArray[np.bool_], det: Detector, rng: np.random.Generator
) -> tuple[F32, NDArray[np.bool_], list[dict[str, float | str]]]:
    """Filling defects: contrast they displace (mm), their footprint, and their truth."""
    m = det.matrix
    displaced = np.zeros((m, m), np.float32)
    footprint = np.zeros((m, m), bool)
    truth: list[dict[str, float | str]] = []
    if not plan.defects:
        return displaced, footprint, truth
    # Work in a box around the cavity: defects live inside it.
    pad = int(max(d.size_mm for d in plan.defects) * det.pose.scale / det.spacing) + 4
    b0, b1, d0, d1 = bounding_box(np.argwhere(cavity_mask).astype(float), pad, m)
    box = (slice(b0, b1), slice(d0, d1))
    inside = cavity_mask[box]
    dist = ndimage.distance_transform_edt(inside) * det.spacing
    c = (m - 1) / 2
    y, x = np.meshgrid(
        (np.arange(b0, b1) - c) * det.spacing, (np.arange(d0, d1) - c) * det.spacing, indexing="ij"
    )
    taken = np.zeros_like(inside)
    for defect in plan.defects:
        size = defect.size_mm * det.pose.scale
        # Defect centres sit inside the cavity, at least a third of their size from the wall.
        need = min(size / 3, 0.8 * float(dist.max()))
        candidates = np.argwhere((dist >= need) & ~taken)
        if len(candidates) == 0:
            continue
        r, c = candidates[rng.integers(len(candidates))]
        cx, cy = float(x[r, c]), float(y[r, c])
        if defect.kind == "rounded":
            a = size / 2
            b = a * rng.uniform(0.75, 1.0)
            q = ellipse_q(x, y, cx, cy, a, b, rng.uniform(0, 180))
            depth = size * rng.uniform(0.7, 1.0)
            thick = depth * np.sqrt(np.clip(1 - q**2, 0, 1))
        else:
            # Synechiae: ragged bands that bridge the walls and exclude contrast entirely.
            thick = np.zeros_like(x)
            ang = rng.uniform(0, np.pi)
            for k in range(int(rng.integers(3, 6))):
                off = (k / 4 - 0.5) * size * 0.7
                q = ellipse_q(
                    x,
                    y,
                    cx + off * np.cos(ang),
                    cy + off * np.sin(ang),
                    size * rng.uniform(0.15, 0.3),
                    size * rng.uniform(0.1, 0.22),
                    rng.uniform(0, 180),
                )
                thick = np.maximum(thick, np.where(q < 1, 40.0, 0.0))
            jag = ndimage.gaussian_filter(rng.normal(0, 1, x.shape), 0.6 / det.spacing)
            thick = np.where(thick + 25 * jag > 20, 40.0, 0.0)
            thick = ndimage.gaussian_filter(thick, 0.3 / det.spacing)
        region = (thick > 0.5) & inside
        if not region.any():
            continue
        displaced[box] += thick.astype(np.float32)
        taken |= region
        footprint[box] |= region
        rr, cc = np.nonzero(region)
        rr, cc = rr + b0, cc + d0
        extent = max(np.ptp(rr), np.ptp(cc)) * det.spacing
        truth.append(
            {
                "kind": defect.kind,
                "cause": defect.cause,
                "centre_row": float(rr.mean()),
                "centre_col": float(cc.mean()),
                "size_mm": round(float(max(extent, size * 0.5)), 1),
            }
        )
    return displaced, footprint, truth


def spill_elements(
    tube: TubeGeometry, loculated: bool, det: Detector, rng: np.random.Generator
) -> list[tuple[Patch, float]]:
    """Peritoneal spill around the fimbrial end: (path-length patch in mm, reach in mm).

    Free spill spreads and outlines bowel loops as curvilinear streaks; an element shows once
    the spill has grown past its reach. Loculated spill is one compact pool (reach 0).
    """
    m = det.matrix
    end = np.array(tube.fimbrial_end)
    direction = np.array(tube.end_direction)
    elements: list[tuple[Patch, float]] = []
    w_end = det.uterus_to_world(end[None, :])[0]
    if loculated:
        size = 22.0 * det.pose.scale
        r0, c0, base = ellipse_patch(det, w_end[0], w_end[1], size, size, 0, 1.0)
        pool = np.zeros_like(base)
        yy, xx = np.mgrid[0 : base.shape[0], 0 : base.shape[1]]
        wx = (c0 + xx - (det.matrix - 1) / 2) * det.spacing
        wy = (r0 + yy - (det.matrix - 1) / 2) * det.spacing
        for _ in range(int(rng.integers(3, 6))):
            c = w_end + rng.normal(0, 3.0, 2) * det.pose.scale
            q = ellipse_q(
                wx,
                wy,
                c[0],
                c[1],
                rng.uniform(4, 8) * det.pose.scale,
                rng.uniform(3, 6) * det.pose.scale,
                rng.uniform(0, 180),
            )
            pool = np.maximum(pool, np.sqrt(np.clip(1 - q**2, 0, 1)))
        pool = ndimage.gaussian_filter(pool, 0.5 / det.spacing) * rng.uniform(3.0, 5.5)
        elements.append((Patch(r0, c0, pool.astype(np.float32)), 0.0))
        return elements
    # Free spill: a thin haze and curvilinear streaks around loops, beyond the fimbrial end.
    for k in range(int(rng.integers(5, 9))):
        reach = 3.0 + 4.0 * k + rng.uniform(0, 4)
        offset = direction * reach * 0.6 + rng.normal(0, 1, 2) * reach * 0.7
        c = det.uterus_to_world((end + offset)[None, :])[0]
        r0, c0, q = ellipse_patch(
            det, c[0], c[1], rng.uniform(7, 16), rng.uniform(5, 11), rng.uniform(0, 180), 1.8
        )
        cloud = ndimage.gaussian_filter(rng.normal(0, 1, q.shape), 2.5 / det.spacing)
        cloud = np.clip(1 + 1.2 * cloud / (cloud.std() + 1e-9), 0.15, None)
        haze = rng.uniform(1.2, 2.5) * np.exp(-(q**2) * 2) * cloud
        elements.append((Patch(r0, c0, haze.astype(np.float32)), reach))
    for _ in range(int(rng.integers(3, 7))):
        reach = rng.uniform(4, 30)
        centre = end + direction * reach * 0.5 + rng.normal(0, 1, 2) * (reach * 0.6 + 4)
        radius = rng.uniform(6, 14)
        start = rng.uniform(0, 2 * np.pi)
        ang = start + np.linspace(0, rng.uniform(1.5, 4.0), 80)
        arc = centre + radius * np.column_stack([np.cos(ang), np.sin(ang)])
        rc = det.uterus_to_px(densify(arc, 0.3))
        t = np.linspace(0, 1, len(rc))
        rad = float(det.mm_to_px(rng.uniform(0.6, 1.1))) * np.sin(np.pi * t).clip(0.3, 1)
        chord, _ = tubular(rc, rad, m)
        chord.data *= det.spacing
        elements.append((chord, float(reach)))
    return elements


def intravasation_network(cavity: CavityGeometry, det: Detector, rng: np.random.Generator) -> Patch:
    """Venous intravasation: a fine lace around the cavity and a few tortuous draining veins.

    The myometrial venous plexus fills as a reticular network hugging the cavity wall; it
    drains through thin, beaded, branching veins running inferolaterally toward the pelvic
    side wall (DOMAIN.md section 2).
    """
    outline = np.vstack([densify(o, 0.5) for o in cavity.outlines])
    centre = outline.mean(axis=0)
    lines: list[F64] = []
    radii: list[F64] = []

    def wiggle(start: F64, heading: float, length: float, bend: float) -> F64:
        n = max(4, int(length / 0.4))
        ang = heading + np.cumsum(rng.normal(0, bend, n))
        steps = 0.4 * np.column_stack([np.cos(ang), np.sin(ang)])
        out: F64 = start + np.cumsum(steps, axis=0)
        return out

    # The lace: many short curly segments in a band up to 8 mm outside the wall.
    for _ in range(int(rng.integers(220, 360))):
        p = outline[rng.integers(len(outline))]
        normal = (p - centre) / (np.hypot(*(p - centre)) + 1e-9)
        q = p + normal * rng.uniform(0.5, 8.0)
        tangent = float(np.arctan2(normal[0], -normal[1])) + rng.normal(0, 0.7)
        seg = wiggle(q, tangent, rng.uniform(3.0, 9.0), 0.35)
        lines.append(seg)
        radii.append(np.full(len(seg), rng.uniform(0.25, 0.45)))
    # Draining veins: tortuous, thin, branching, toward the pelvic side wall.
    for _ in range(int(rng.integers(2, 5))):
        sgn = float(rng.choice([-1.0, 1.0]))
        start = centre + np.array(
            [sgn * cavity.width_mm * rng.uniform(0.3, 0.5), cavity.length_mm * rng.uniform(0, 0.4)]
        )
        heading = float(np.arctan2(rng.uniform(0.4, 1.2), sgn))
        vein = wiggle(start, heading, rng.uniform(25.0, 55.0), 0.12)
        beads = 1 + 0.35 * np.sin(np.linspace(0, rng.uniform(10, 25), len(vein)))
        lines.append(vein)
        radii.append(np.linspace(0.7, 0.4, len(vein)) * beads)
        for _ in range(int(rng.integers(1, 3))):
            k = int(rng.integers(len(vein) // 4, len(vein)))
            branch = wiggle(vein[k], heading + rng.normal(0, 0.8), rng.uniform(8.0, 20.0), 0.2)
            lines.append(branch)
            radii.append(np.full(len(branch), rng.uniform(0.3, 0.5)))
    rc = det.uterus_to_px(np.vstack(lines))
    rad = np.concatenate(radii) * det.pose.scale / det.spacing
    chord, _ = tubular(rc, rad, det.matrix)
    chord.data *= det.spacing
    return chord


def pelvic_pooling(det: Detector, tube: TubeGeometry, rng: np.random.Generator) -> Patch:
    """Delayed free spill: contrast pooled thinly in the pelvic gutter below the tube end."""
    end = det.uterus_to_world(np.array([tube.fimbrial_end]))[0]
    c = end + np.array([0.0, 18.0])
    r0, c0, q = ellipse_patch(det, c[0], c[1], 30, 22, rng.uniform(-20, 20), 2.0)
    return Patch(r0, c0, (1.2 * np.exp(-(q**2) * 1.5)).astype(np.float32))


def lead_marker(det: Detector, rng: np.random.Generator) -> tuple[F32, str]:
    """A radiopaque lead letter on the patient's side it names, placed by the technologist.

    Returns its attenuation and the letter. In the standard view the patient's right is on
    the image's left, so an ``R`` goes near the upper left corner.
    """
    from PIL import ImageFont

    m = det.matrix
    letter = "R" if rng.random() < 0.5 else "L"
    size = max(8, int(rng.uniform(10.0, 15.0) / det.spacing))
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        font = ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        font = ImageFont.load_default()
    canvas = Image.new("L", (m, m), 0)
    sign = -1 if letter == "R" else 1
    x = (m - 1) / 2 + sign * rng.uniform(0.22, 0.3) * m
    y = (m - 1) / 2 - rng.uniform(0.22, 0.3) * m
    ImageDraw.Draw(canvas).text(
        (x, y),
        letter,
        fill=255,
        font=font,
        anchor="mm",
        stroke_width=max(1, size // 12),
        stroke_fill=255,
    )
    lead = np.asarray(canvas, dtype=np.float32) / 255.0
    # About 1 mm of lead: nearly opaque at fluoroscopy energies.
    return (ndimage.gaussian_filter(lead, 0.5) * 3.5).astype(np.float32), letter


def bubbles(
    plan: StudyPlan,
    specs: list[FrameSpec],
    cav_mask: NDArray[np.bool_],
    det: Detector,
    rng: np.random.Generator,
) -> list[tuple[F32, NDArray[np.bool_]]]:
    """Air bubbles: small round lucencies that move between frames (a mimic)."""
    m = det.matrix
    empty = (np.zeros((m, m), np.float32), np.zeros((m, m), bool))
    if not plan.air_bubbles:
        return [empty] * len(specs)
    inner = ndimage.binary_erosion(cav_mask, iterations=max(1, int(3 / det.spacing)))
    candidates = np.argwhere(inner)
    if len(candidates) == 0:
        return [empty] * len(specs)
    count = int(rng.integers(1, 5))
    radii = rng.uniform(1.0, 2.5, count) * det.pose.scale / det.spacing
    out: list[tuple[F32, NDArray[np.bool_]]] = []
    for spec in specs:
        if spec.stage not in ("early_filling", "full_filling", "tubal_filling"):
            out.append(empty)
            continue
        thick = np.zeros((m, m), np.float32)
        for r in radii:
            cr, cc = candidates[rng.integers(len(candidates))]
            k = int(np.ceil(r)) + 1
            r0, c0 = max(0, cr - k), max(0, cc - k)
            rows, cols = np.mgrid[r0 : min(m, cr + k + 1), c0 : min(m, cc + k + 1)]
            d2 = (rows - cr) ** 2 + (cols - cc) ** 2
            # A gas sphere in a ~several-mm-deep lumen displaces all contrast in its path.
            lens = 2 * np.sqrt(np.clip(r**2 - d2, 0, None)) * det.spacing * 3
            Patch(r0, c0, lens.astype(np.float32)).add_to(thick)
        out.append((thick, thick > 0.3))
    return out
