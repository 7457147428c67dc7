"""Write: bytes on disk, atomically, only inside one out dir and never over or through what
roadmap did not write; CSV tables; forked helpers."""
