"""Lengths as types, in the manner of ``pptx.util``: an ``int`` of English Metric Units.

A :class:`Length` is an ``int``, so python-pptx accepts it wherever it wants EMU, yet the
layout code never passes bare numbers whose unit a reader must guess.
"""

from __future__ import annotations

EMU_PER_INCH = 914400
EMU_PER_PT = 12700


class Length(int):
    """A length in EMU (914,400 per inch, 12,700 per point)."""

    def __new__(cls, emu: float) -> Length:
        return int.__new__(cls, round(emu))

    @property
    def pt(self) -> float:
        return self / EMU_PER_PT

    @property
    def inches(self) -> float:
        return self / EMU_PER_INCH

    @property
    def centipoints(self) -> int:
        """Hundredths of a point, the unit DrawingML uses for font sizes and spacing."""
        return round(self * 100 / EMU_PER_PT)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.pt:g}pt)"

    __str__ = int.__repr__  # str() gives the bare EMU number, as XML attributes need


class Emu(Length):
    """A length given in EMU."""


class Pt(Length):
    """A length given in points."""

    def __new__(cls, points: float) -> Pt:
        return int.__new__(cls, round(points * EMU_PER_PT))


class Inches(Length):
    """A length given in inches."""

    def __new__(cls, inches: float) -> Inches:
        return int.__new__(cls, round(inches * EMU_PER_INCH))
