"""Print: leaflets (tờ tin) of a commune's stories, as PDF ready to print."""
