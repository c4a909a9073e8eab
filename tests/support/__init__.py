"""What every test suite needs alike: waiting for an eventual outcome, the people the tests sign
up. One place, so that no suite imports another's helpers for them."""
