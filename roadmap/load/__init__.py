"""Load: read and validate every input (the profile, content modules, rule and season files, the
layered template folders) into typed objects, reporting each problem at its file and line."""
