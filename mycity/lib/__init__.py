"""Small helpers more than one app needs: one home, each with its own tests."""
