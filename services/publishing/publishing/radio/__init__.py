"""Grassroots radio (truyền thanh cơ sở): bulletins read aloud, rundowns per commune and slot, podcasts."""
