package web

// approvalTexts are the texts of content-bound approval, the PPID's
// classification and unit scope (merged into the catalogue at start).
var approvalTexts = map[string][2]string{
	"role.ppid": {"PPID", "PPID officer"},

	"cat.berkala":     {"Berkala", "Periodic (berkala)"},
	"cat.serta_merta": {"Serta-merta", "Immediate (serta-merta)"},
	"cat.setiap_saat": {"Tersedia setiap saat", "Available at any time"},

	"compose.category":      {"Jenis informasi publik", "Public information category"},
	"compose.category.none": {"— pilih —", "— choose —"},
	"compose.category.help": {"Standar layanan informasi publik: berkala, serta-merta, atau tersedia setiap saat.", "Information-service standard: periodic, immediate, or available at any time."},
	"compose.basis":         {"Dasar hukum pengecualian", "Legal basis of the exemption"},
	"compose.basis.help":    {"Mis. UU 14/2008 pasal 17 huruf a.", "E.g. UU 14/2008 article 17(a)."},
	"compose.reason.help":   {"Uji konsekuensi: kerugian apa yang timbul bila informasi ini dibuka.", "Consequence test: what harm disclosure would cause."},
	"compose.class.ppid":    {"Di unit ini klasifikasi ditetapkan PPID: pilihan Anda adalah usulan sampai PPID mengonfirmasinya.", "In this unit the PPID classifies: your choice is a proposal until a PPID officer confirms it."},
	"compose.count":         {"Berapa kali tayang (kosong: paling banyak)", "Number of occurrences (empty: the maximum)"},
	"compose.count.bad":     {"Isi jumlah kali tayang dengan angka.", "Give the number of occurrences as a number."},
	"compose.conflict.msg":  {"Unggahan #%d diubah setelah formulir ini dibuka: kini versi %d, formulir Anda dibuka pada versi %d. Perubahan Anda belum disimpan.", "Post #%d was changed after this form was opened: it is now version %d, your form was opened on version %d. Your changes were not saved."},
	"compose.conflict":      {"Isi terbaru (versi %d), diubah setelah formulir ini dibuka", "The current content (version %d), changed after this form was opened"},
	"compose.conflict.help": {"Perubahan Anda belum disimpan. Bandingkan dengan isi terbaru di bawah; jika tetap ingin menyimpan, kirim formulir ini lagi (kini berdasarkan versi %d).", "Your changes were not saved. Compare them with the current content below; to save them anyway, send this form again (now based on version %d)."},

	"ver.label":         {"Versi %d", "Version %d"},
	"ver.hash":          {"Hash isi", "Content hash"},
	"appr.version":      {"Versi yang Anda periksa", "Version you are reviewing"},
	"appr.authors":      {"Pengubah isi sejak persetujuan terakhir", "Changed since the last approval by"},
	"appr.classifier":   {"Klasifikasi oleh", "Classified by"},
	"appr.approver":     {"Persetujuan oleh", "Approval by"},
	"appr.you":          {"Anda (%s) menyetujui versi %d", "You (%s) approve version %d"},
	"appr.byapprover":   {"approver unit ini atau unit di atasnya", "an approver of this unit or a unit above it"},
	"appr.cannot":       {"Anda tidak dapat menyetujui versi ini: %s", "You cannot approve this version: %s"},
	"appr.conflict":     {"Unggahan #%d berubah saat Anda memeriksanya: kini versi %d. Periksa ulang isinya di bawah sebelum menyetujui atau menolak.", "Post #%d changed while you were reviewing it: it is now version %d. Review its content below again before approving or rejecting."},
	"appr.classified":   {"Klasifikasi unggahan #%d tersimpan.", "Post #%d classified."},
	"appr.classify":     {"Tetapkan klasifikasi (PPID)", "Classify (PPID)"},
	"appr.classify.do":  {"Simpan klasifikasi", "Save classification"},
	"appr.approved.v":   {"Disetujui %s oleh %s (versi %d)", "Approved %s by %s (version %d)"},
	"appr.approved.sys": {"Disetujui otomatis %s (versi %d): unit tidak memerlukan persetujuan", "Approved automatically %s (version %d): the unit needs no approval"},
	"appr.version.col":  {"Versi", "Version"},
	"appr.changes":      {"Perubahan", "Changes"},

	"cls.status.confirmed": {"Dikonfirmasi", "Confirmed"},
	"cls.status.proposed":  {"Usulan, menunggu PPID", "Proposed, waiting for the PPID"},
	"cls.by":               {"%s (%s), %s", "%s (%s), %s"},
	"cls.nobody":           {"belum ada", "nobody yet"},
	"cls.category":         {"Jenis informasi", "Category"},
	"cls.basis":            {"Dasar hukum", "Legal basis"},
}

func init() {
	for k, v := range approvalTexts {
		catalogue[k] = v
	}
}
