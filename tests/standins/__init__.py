"""Local servers that implement the documented APIs of the outside systems the services talk to."""
