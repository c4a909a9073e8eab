"""Domain rules of the users service: plain classes and functions, tested without I/O."""
