"""Aftercare instructions for the patient, from the article's Complications section."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from openhsg.domain.evidence import Evidence


@dataclass(frozen=True, slots=True)
class Aftercare:
    """Patient aftercare text, structured.

    Parameters
    ----------
    title : str
        Heading.
    expect : tuple[str, ...]
        What is normal after the exam.
    contact_if : tuple[str, ...]
        Symptoms for which she should contact her clinician.
    going_home : str
        Advice about getting home.
    rare : str
        Rare complications, for information.
    evidence : Evidence
        Source sentences.
    """

    title: str
    expect: tuple[str, ...]
    contact_if: tuple[str, ...]
    going_home: str
    rare: str
    evidence: Evidence

    def as_dict(self) -> dict[str, object]:
        """Return a JSON-ready mapping.

        Returns
        -------
        dict[str, object]
            The text fields and the evidence.
        """
        return {
            "title": self.title,
            "expect": list(self.expect),
            "contact_if": list(self.contact_if),
            "going_home": self.going_home,
            "rare": self.rare,
            "evidence": self.evidence.as_dict(),
        }


AFTERCARE: Final = Aftercare(
    title="After your HSG (hysterosalpingogram)",
    expect=(
        "Cramping in your lower tummy and some bleeding from the vagina are the most common "
        "effects. They can last a few days.",
        "Serious problems after an HSG are rare.",
    ),
    contact_if=(
        "a vaginal discharge that smells bad (foul-smelling)",
        "severe pain in your tummy (abdomen)",
        "heavy bleeding from the vagina",
        "a fever or chills",
        "fainting (passing out)",
    ),
    going_home=(
        "Most people can get home on their own after an HSG. If you would prefer, or if you "
        "do not feel well after the test, arrange for someone to help you get home."
    ),
    rare=(
        "Less common problems include an allergic reaction to the dye, an infection in the "
        "pelvis, injury to the womb (uterus) or neck of the womb (cervix), and feeling faint "
        "during the test."
    ),
    evidence=Evidence(
        "Complications; Preparation",
        refs=(21,),
        quotes=(
            "Overall, severe complications following HSG are rare, with the most common "
            "complications being abdominal cramping and vaginal bleeding, which may persist "
            "for a few days following the procedure.",
            "Patients should be advised to contact their OB/GYN clinician if they develop "
            "foul-smelling discharge, severe abdominal pain, heavy vaginal bleeding, fever or "
            "chills, or syncope.",
            "Most patients can transport themselves home after having HSG.",
        ),
    ),
)
"""The aftercare instructions."""


def aftercare_text(care: Aftercare = AFTERCARE) -> str:
    """Plain-text aftercare instructions for printing and handing to the patient.

    Parameters
    ----------
    care : Aftercare
        The instructions (default: :data:`AFTERCARE`).

    Returns
    -------
    str
        Printable text.
    """
    lines = [care.title, "=" * len(care.title), "", "What to expect", ""]
    lines += [f"- {s}" for s in care.expect]
    lines += ["", "Contact your gynaecologist or clinic (OB/GYN clinician) if you have:", ""]
    lines += [f"- {s}" for s in care.contact_if]
    lines += ["", "Going home", "", care.going_home, "", "Rare problems", "", care.rare, ""]
    return "\n".join(lines)
