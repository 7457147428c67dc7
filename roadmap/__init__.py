"""roadmap: a profile and a guidance library in, a personal residency-application plan out."""

from __future__ import annotations

__version__ = "0.1.0"
