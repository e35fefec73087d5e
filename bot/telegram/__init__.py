"""Telegram front end of the Layanan Aduan bot."""
