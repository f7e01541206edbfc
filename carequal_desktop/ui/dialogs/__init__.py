"""Dialogs: one module per dialog."""
