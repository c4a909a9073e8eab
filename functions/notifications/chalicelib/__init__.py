"""Domain rules of the notifications service: plain classes and functions, tested without I/O."""
