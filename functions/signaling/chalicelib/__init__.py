"""Domain rules of the signaling service: plain classes and functions, tested without I/O."""
