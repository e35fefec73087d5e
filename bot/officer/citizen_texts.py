"""What the citizen receives on Telegram when an officer acts. Every text names the ticket.

Plain text: the Telegram front end escapes it before sending.
"""

from __future__ import annotations

from datetime import date

from bot.labels import format_date


def verified(public_id: str, unit: str | None, followup_due: date) -> str:
    """The complaint was verified and forwarded."""
    where = f" dan diteruskan ke {unit}" if unit else ""
    return (
        f"Laporan {public_id} telah diverifikasi{where}. Rencana tindak lanjut akan "
        f"disampaikan paling lambat {format_date(followup_due)}."
    )


def info_request(public_id: str, question: str) -> str:
    """The officer needs more information."""
    return (
        f"Petugas membutuhkan keterangan tambahan untuk laporan {public_id}:\n\n{question}\n\n"
        f"Silakan balas di chat ini dan sebutkan nomor laporan {public_id}."
    )


def reply(public_id: str, text: str) -> str:
    """A free reply of the officer."""
    return f"Balasan petugas untuk laporan {public_id}:\n\n{text}"


def resolved(public_id: str, resolution: str) -> str:
    """The complaint was resolved."""
    return (
        f"Laporan {public_id} telah selesai ditindaklanjuti.\n\nHasil: {resolution}\n\n"
        'Bantu kami menjadi lebih baik: beri penilaian, misalnya "nilai 5, terima kasih".'
    )


def rejected(public_id: str, reason: str, duplicate_of: str | None) -> str:
    """The complaint cannot be followed up."""
    text = f"Mohon maaf, laporan {public_id} tidak dapat ditindaklanjuti.\n\nAlasan: {reason}"
    if duplicate_of:
        text += f"\n\nLaporan Anda {duplicate_of} dengan isi yang sama sedang ditangani."
    return text


def reopened(public_id: str) -> str:
    """The complaint was reopened."""
    return f"Laporan {public_id} dibuka kembali dan akan ditindaklanjuti oleh petugas."
