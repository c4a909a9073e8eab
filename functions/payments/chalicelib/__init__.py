"""Domain rules of the payments service: plain classes and functions, tested without I/O."""
