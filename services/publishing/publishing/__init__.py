"""Publishing service: the culture and information office publicises exemplars (tuyên truyền)."""
