"""Use cases of the emulation and commendation officer."""
