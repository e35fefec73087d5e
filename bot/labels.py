"""Indonesian labels for stored codes, shown to citizens. One place for all of them."""

from __future__ import annotations

from bot.store.models import Category, Privacy, TicketStatus

CATEGORY_LABELS: dict[Category, str] = {
    Category.ADMINDUK: "Administrasi kependudukan",
    Category.INFRASTRUKTUR: "Infrastruktur (jalan, jembatan, lampu, drainase)",
    Category.KEBERSIHAN: "Kebersihan dan lingkungan",
    Category.KESEHATAN: "Kesehatan",
    Category.PENDIDIKAN: "Pendidikan",
    Category.PUNGLI: "Pungutan liar / korupsi",
    Category.PERIZINAN: "Perizinan",
    Category.KETERTIBAN: "Ketertiban umum",
    Category.TRANSPORTASI: "Transportasi",
    Category.LAINNYA: "Lainnya",
}

CATEGORY_SHORT_LABELS: dict[Category, str] = {
    Category.ADMINDUK: "Adminduk",
    Category.INFRASTRUKTUR: "Infrastruktur",
    Category.KEBERSIHAN: "Kebersihan",
    Category.KESEHATAN: "Kesehatan",
    Category.PENDIDIKAN: "Pendidikan",
    Category.PUNGLI: "Pungli",
    Category.PERIZINAN: "Perizinan",
    Category.KETERTIBAN: "Ketertiban",
    Category.TRANSPORTASI: "Transportasi",
    Category.LAINNYA: "Lainnya",
}

PRIVACY_LABELS: dict[Privacy, str] = {
    Privacy.PUBLIC: "Biasa (identitas terlihat oleh petugas)",
    Privacy.ANONYMOUS: "Anonim (identitas Anda disembunyikan)",
    Privacy.CONFIDENTIAL: "Rahasia (laporan hanya dilihat petugas yang menangani)",
}

PRIVACY_SHORT_LABELS: dict[Privacy, str] = {
    Privacy.PUBLIC: "Biasa",
    Privacy.ANONYMOUS: "Anonim",
    Privacy.CONFIDENTIAL: "Rahasia",
}

STATUS_LABELS: dict[TicketStatus, str] = {
    TicketStatus.BARU: "Baru diterima, menunggu verifikasi",
    TicketStatus.DIVERIFIKASI: "Sudah diverifikasi dan diteruskan ke unit terkait",
    TicketStatus.DIPROSES: "Sedang ditindaklanjuti",
    TicketStatus.MENUNGGU_WARGA: "Menunggu tanggapan/keterangan dari Anda",
    TicketStatus.SELESAI: "Selesai",
    TicketStatus.DITOLAK: "Tidak dapat ditindaklanjuti",
}

ASPECT_LABELS: dict[str, str] = {
    "requirements": "persyaratan",
    "cost": "biaya",
    "duration": "lama proses",
    "procedure": "prosedur",
    "location_hours": "lokasi dan jam layanan",
}

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def format_date(value: object) -> str:
    """'Rabu, 2 Desember 2026' for a date or datetime."""
    from datetime import date

    assert isinstance(value, date)
    return f"{WEEKDAYS[value.weekday()]}, {value.day} {MONTHS[value.month - 1]} {value.year}"


ASPECT_BUTTON_LABELS: dict[str, str] = {
    "requirements": "Persyaratan",
    "cost": "Biaya",
    "duration": "Lama proses",
    "procedure": "Prosedur",
    "location_hours": "Lokasi & jam",
}

BUTTON_SEND = "Ya, kirim"
BUTTON_CANCEL = "Batal"
BUTTON_CONFIRM_CANCEL = "Ya, batalkan"
BUTTON_KEEP_GOING = "Tidak, lanjutkan"
# The complaint form's fields as the summary names them; "Ubah …" buttons.
FORM_FIELD_LABELS: dict[str, str] = {
    "complaint_description": "Isi",
    "complaint_location": "Lokasi",
    "complaint_category": "Kategori",
    "complaint_privacy": "Sifat laporan",
}
EDIT_BUTTON_LABELS: dict[str, str] = {
    "complaint_description": "Ubah isi",
    "complaint_location": "Ubah lokasi",
    "complaint_category": "Ubah kategori",
    "complaint_privacy": "Ubah sifat",
}
BUTTON_TALK_TO_OFFICER = "Hubungi petugas"
MAIN_MENU_BUTTONS: tuple[tuple[str, str], ...] = (
    ("Tanya layanan", "/ask_requirements"),
    ("Buat pengaduan", "/file_complaint"),
    ("Cek status tiket", "/check_status"),
    ("Beri penilaian", "/give_feedback"),
)
