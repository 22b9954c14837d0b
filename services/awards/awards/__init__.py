"""Awards service: commendation decisions (quyết định khen thưởng) for approved exemplars."""
