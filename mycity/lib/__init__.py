"""Small helpers more than one app needs, each with its own tests under tests/mycity/."""
