"""Reading HSG images into display-normalised, patient-oriented frames."""

from openhsg.imaging.dicom_read import Frame, SeriesRead, read_series

__all__ = ["Frame", "SeriesRead", "read_series"]
