"""Domain rules of the auth service: plain classes and functions, tested without I/O."""
