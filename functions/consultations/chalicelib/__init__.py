"""Domain rules of the consultations service: plain classes and functions, tested without I/O."""
