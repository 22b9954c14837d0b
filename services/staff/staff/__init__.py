"""The staff service: sign-in, sessions, each role's home page and the operator's console."""
