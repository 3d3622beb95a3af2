"""Typed, immutable domain records, codes and evidence for the HSG clinical pathway."""
