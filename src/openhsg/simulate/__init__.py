"""Realistic HSG study simulator with exact ground truth.

No labelled HSG image data is public (DOMAIN.md section 5), so the analysis is built, tested and
benchmarked on studies made here: anatomy in millimetres, projected as X-ray path length through
contrast, over a time-ordered series, encoded as DICOM the way fluoroscopy units send it.
"""
