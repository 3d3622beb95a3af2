"""Evidence as data: the article's references and the guidelines named in DOMAIN.md.

Rules cite evidence through :class:`Evidence` values built here, so a citation can be
corrected in one place. The article is the StatPearls chapter *Hysterosalpingogram*
(Martingano, updated 2024-05-06), stored as ``seed/hysterosalpingogram-article.txt``;
``[n]`` are its reference numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

ARTICLE: Final = "StatPearls: Hysterosalpingogram (Martingano, updated 2024)"


@dataclass(frozen=True, slots=True)
class ArticleReference:
    """One numbered reference of the article.

    Parameters
    ----------
    number : int
        The article's reference number ``[n]``.
    citation : str
        Short citation (first author, journal, year).
    level : str | None
        The evidence level the article gives, if any.
    """

    number: int
    citation: str
    level: str | None = None


_REFS: tuple[ArticleReference, ...] = (
    ArticleReference(1, "Dolinko 2024, J Womens Health"),
    ArticleReference(2, "Hou 2024, Reprod Biol Endocrinol", "Level 1"),
    ArticleReference(3, "Makwe 2021, Pan Afr Med J"),
    ArticleReference(4, "Tsevat 2017, Am J Obstet Gynecol"),
    ArticleReference(5, "Ng 2019, Best Pract Res Clin Obstet Gynaecol"),
    ArticleReference(6, "Ahmadi 2013, Int J Fertil Steril"),
    ArticleReference(7, "Ledbetter 2015, Abdom Imaging", "Level 2"),
    ArticleReference(8, "Reyes-Munoz 2019, Diagnostics"),
    ArticleReference(9, "Passos 2022, Rev Bras Ginecol Obstet", "Level 1"),
    ArticleReference(10, "Maheux-Lacroix 2019, J Obstet Gynaecol Can"),
    ArticleReference(11, "ACOG Practice Bulletin No. 195, Obstet Gynecol 2018"),
    ArticleReference(12, "Ma 2016, Medicine (case report)", "Level 3"),
    ArticleReference(13, "Chahine 2024, Clin Radiol"),
    ArticleReference(14, "Canday 2023, Eur Rev Med Pharmacol Sci", "Level 3"),
    ArticleReference(15, "Hindocha 2015, Cochrane Database Syst Rev CD006106", "Level 1"),
    ArticleReference(16, "Brun 2020, French PID guidelines (CNGOF/SPILF)"),
    ArticleReference(17, "Aboshama 2022, Hum Fertil (meta-analysis)", "Level 1"),
    ArticleReference(18, "Mansour 2011, Postgrad Med J", "Level 3"),
    ArticleReference(19, "Mohd Nor 2009, Biomed Imaging Interv J", "Level 2"),
    ArticleReference(20, "Peart 2021, Hum Reprod"),
    ArticleReference(21, "Kilic 2023, J Obstet Gynaecol"),
    ArticleReference(22, "Tobler 2016, J Reprod Med (case report)", "Level 3"),
    ArticleReference(23, "Panda 2021, Cureus"),
    ArticleReference(24, "Wadhwa 2017, J Hum Reprod Sci", "Level 2"),
)

ARTICLE_REFERENCES: Final = MappingProxyType({r.number: r for r in _REFS})
"""The article's references by number."""


@dataclass(frozen=True, slots=True)
class Guideline:
    """A guideline or secondary source named in DOMAIN.md.

    Parameters
    ----------
    key : str
        Stable identifier.
    name : str
        Display name.
    verified : bool
        False where DOMAIN.md marks the source or attribution as unverified.
    note : str
        What the source is used for.
    """

    key: str
    name: str
    verified: bool
    note: str = ""


_GUIDELINES: tuple[Guideline, ...] = (
    Guideline(
        "RCR-HSG-AUDIT",
        "RCR audit of HSG service",
        True,
        "four key images; UK DRL 2 Gy·cm² DAP; screening time 0.7 min",
    ),
    Guideline("IE-DRL", "Ireland national DRL for HSG", True, "DAP 1.4 Gy·cm²"),
    Guideline(
        "NICE-CG156",
        "NICE CG156 Fertility problems",
        True,
        "HSG for women without known comorbidity; Chlamydia screening before "
        "uterine instrumentation",
    ),
    Guideline(
        "DOXYCYCLINE-HYDROSALPINX",
        "Doxycycline and post-HSG infection with dilated tubes (attribution unverified)",
        False,
        "infection 11% with hydrosalpinx, 0/56 after doxycycline",
    ),
    Guideline(
        "TEACHING-RELATIVE-CI",
        "Teaching lists of HSG contraindications (unverified)",
        False,
        "recent uterine or tubal surgery as a relative contraindication",
    ),
    Guideline(
        "FOLLICULAR-DAYS-5-12",
        "Secondary source on follicular-phase timing (unverified)",
        False,
        "ideally after bleeding stops and before ovulation, about days 5-12",
    ),
    Guideline(
        "DOMAIN-CONTRAST-VOLUME",
        "DOMAIN.md: HSG agents 240-400 mgI/mL, mean volume about 6 mL",
        False,
        "typical total contrast volume",
    ),
    Guideline(
        "REUTER-1989",
        "Reuter 1989 (DOMAIN.md section 2): HSG alone separates septate from bicornuate uterus "
        "in only about 55%",
        True,
        "report 'septate or bicornuate, indeterminate on HSG; MRI or 3D ultrasound recommended'",
    ),
    Guideline(
        "H2OIL",
        "H2Oil trial, NEJM 2017",
        True,
        "intravasation about twice as common with oil-based contrast",
    ),
)

GUIDELINES: Final = MappingProxyType({g.key: g for g in _GUIDELINES})
"""Guidelines and secondary sources by key."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a rule comes from, and how strong the support is.

    Parameters
    ----------
    section : str
        The article section (e.g. ``"Contraindications"``) or ``"DOMAIN.md"``.
    refs : tuple[int, ...]
        Article reference numbers cited by the sentence (may be empty: some sentences of
        the article carry no reference number).
    guidelines : tuple[str, ...]
        Keys into :data:`GUIDELINES`.
    quotes : tuple[str, ...]
        The sentence(s) of the source that the rule encodes, verbatim.
    strength : str | None
        A note on evidence strength where the source says it is weak or unverified.
    """

    section: str
    refs: tuple[int, ...] = ()
    guidelines: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()
    strength: str | None = None

    def __post_init__(self) -> None:
        for n in self.refs:
            if n not in ARTICLE_REFERENCES:
                raise ValueError(f"unknown article reference [{n}]")
        for key in self.guidelines:
            if key not in GUIDELINES:
                raise ValueError(f"unknown guideline {key!r}")

    def label(self) -> str:
        """Short human-readable citation.

        Returns
        -------
        str
            e.g. ``"article, Preparation [14][15]"`` or ``"NICE CG156 Fertility problems"``.
        """
        parts: list[str] = []
        refs = "".join(f"[{n}]" for n in self.refs)
        if self.section != "DOMAIN.md":
            parts.append(f"article, {self.section}{' ' + refs if refs else ''}")
        elif refs:
            parts.append(f"article {refs}")
        parts.extend(GUIDELINES[g].name for g in self.guidelines)
        return "; ".join(parts)

    def as_dict(self) -> dict[str, object]:
        """Return a JSON-ready mapping.

        Returns
        -------
        dict[str, object]
            Section, references with citations, guidelines, quotes, strength and label.
        """
        return {
            "label": self.label(),
            "section": self.section,
            "refs": [{"number": n, "citation": ARTICLE_REFERENCES[n].citation} for n in self.refs],
            "guidelines": [
                {"key": g, "name": GUIDELINES[g].name, "verified": GUIDELINES[g].verified}
                for g in self.guidelines
            ],
            "quotes": list(self.quotes),
            "strength": self.strength,
        }
