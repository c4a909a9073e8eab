"""Domain rules of the records service: plain classes and functions, tested without I/O."""
