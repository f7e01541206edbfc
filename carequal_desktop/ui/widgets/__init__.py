"""Small reusable widgets shared by several screens."""
