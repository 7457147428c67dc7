"""Decide: pure functions that turn a profile, the content, the rules and `today` into one Plan
(stage, flags, sections with their reasons, dated milestones). No clock, no I/O."""
