"""Layanan Aduan: complaint-handling chatbot for Indonesian public services."""
