package web

import (
	"fmt"
	"time"

	"github.com/humas-id/humas/report"
)

// catalogue holds every staff-facing text: [0] Bahasa Indonesia, [1]
// English. Keys are dotted by page. Arguments follow fmt verbs.
var catalogue = map[string][2]string{
	"app.name":        {"humas", "humas"},
	"app.skip":        {"Lewati ke isi", "Skip to content"},
	"nav.calendar":    {"Kalender", "Calendar"},
	"nav.list":        {"Daftar unggahan", "Posts"},
	"nav.compose":     {"Tulis unggahan", "New post"},
	"nav.approvals":   {"Persetujuan", "Approvals"},
	"nav.channels":    {"Kesehatan kanal", "Channel health"},
	"nav.report":      {"Laporan", "Report"},
	"nav.signout":     {"Keluar", "Sign out"},
	"nav.lang":        {"English", "Bahasa Indonesia"},
	"nav.signedin":    {"Masuk sebagai %s (%s)", "Signed in as %s (%s)"},
	"role.admin":      {"admin", "admin"},
	"role.approver":   {"penyetuju", "approver"},
	"role.editor":     {"editor", "editor"},
	"role.viewer":     {"pembaca", "viewer"},
	"signin.title":    {"Masuk", "Sign in"},
	"signin.submit":   {"Masuk", "Sign in"},
	"dur.seconds":     {"%d detik", "%d seconds"},
	"dur.minutes":     {"%d menit", "%d minutes"},
	"signout.done":    {"Anda telah keluar.", "You have signed out."},
	"err.title":       {"Terjadi masalah", "Something went wrong"},
	"err.csrf":        {"Formulir kedaluwarsa atau tidak sah (token CSRF salah). Muat ulang halaman lalu kirim lagi.", "The form expired or is not valid (wrong CSRF token). Reload the page and send it again."},
	"err.forbidden":   {"Halaman ini memerlukan peran %s; peran Anda %s.", "This page needs the role %s; your role is %s."},
	"err.notfound":    {"Halaman atau data tidak ditemukan.", "The page or item was not found."},
	"err.internal":    {"Terjadi kesalahan internal; penyebabnya tercatat di log server.", "Internal error; the cause is in the server log."},
	"err.back":        {"Kembali ke kalender", "Back to the calendar"},
	"err.badrequest":  {"Permintaan tidak valid: %s", "Bad request: %s"},
	"err.toolarge":    {"Kiriman terlalu besar: batasnya %s. Perpendek isian lalu kirim lagi.", "The form is too large: the limit is %s. Shorten it and send it again."},
	"err.timeout":     {"Formulir tidak tiba tepat waktu. Kirim lagi.", "The form did not arrive in time. Send it again."},
	"err.badform":     {"formulir tidak dapat dibaca", "the form could not be read"},
	"err.unavailable": {"Bagian ini belum tersedia di server ini: %s", "This part is not available on this server: %s"},
	"form.required":   {"Wajib diisi.", "Required."},
	"form.save":       {"Simpan", "Save"},
	"form.cancel":     {"Batal", "Cancel"},
	"form.errors":     {"Periksa isian yang ditandai di bawah.", "Check the fields marked below."},
	"form.filter":     {"Terapkan filter", "Apply filters"},
	"all":             {"Semua", "All"},
	"none":            {"Tidak ada", "None"},
	"yes":             {"Ya", "Yes"},
	"no":              {"Tidak", "No"},

	"state.draft":      {"Draf", "Draft"},
	"state.submitted":  {"Menunggu persetujuan", "Awaiting approval"},
	"state.approved":   {"Disetujui", "Approved"},
	"state.scheduled":  {"Terjadwal", "Scheduled"},
	"state.publishing": {"Sedang diterbitkan", "Publishing"},
	"state.published":  {"Terbit", "Published"},
	"state.failed":     {"Gagal", "Failed"},
	"state.canceled":   {"Dibatalkan", "Canceled"},
	"state.rejected":   {"Ditolak", "Rejected"},

	"ct.photo":       {"Foto", "Photo"},
	"ct.video":       {"Video", "Video"},
	"ct.interactive": {"Interaktif", "Interactive"},
	"ct.text":        {"Teks", "Text"},
	"ct.link":        {"Tautan", "Link"},
	"pf.facebook":    {"Facebook", "Facebook"},
	"pf.instagram":   {"Instagram", "Instagram"},
	"cls.public":     {"Terbuka", "Public"},
	"cls.exempt":     {"Dikecualikan", "Exempt"},

	"cal.title":          {"Kalender konten", "Content calendar"},
	"cal.week":           {"Minggu", "Week"},
	"cal.month":          {"Bulan", "Month"},
	"cal.prev":           {"Sebelumnya", "Previous"},
	"cal.next":           {"Berikutnya", "Next"},
	"cal.today":          {"Hari ini", "Today"},
	"cal.unit":           {"Unit", "Unit"},
	"cal.channel":        {"Kanal", "Channel"},
	"cal.empty":          {"Tidak ada unggahan pada periode ini.", "No posts in this period."},
	"cal.legend":         {"Warna menunjukkan status unggahan", "Colours show each post's state"},
	"cal.weekof":         {"Minggu %s – %s", "Week %s – %s"},
	"cal.zone":           {"Waktu ditampilkan dalam %s", "Times are shown in %s"},
	"cal.external":       {"Di luar humas", "Outside humas"},
	"cal.external.count": {"%s di luar humas", "%s outside humas"},
	"cal.external.help":  {"Unggahan \"Di luar humas\" terbit langsung di Halaman atau akun (bukan lewat humas); datanya dari pengumpulan terakhir. Tautannya membuka unggahan di platform.", "Posts marked \"Outside humas\" were published on the Page or account directly (not through humas), as last collected. Their links open the post on the platform."},
	"col.image":          {"Gambar", "Image"},
	"age.heading":        {"Angka menurut umur unggahan", "Figures by the post's age"},
	"age.help":           {"Jangkauan dan interaksi pada snapshot terdekat dengan 24 jam, 7 hari dan 28 hari setelah terbit, dan kini; sehingga unggahan dapat dibandingkan pada umur yang sama.", "Reach and interactions at the snapshot nearest 24 hours, 7 days and 28 days after publishing, and now, so posts compare at the same age."},
	"age.title":          {"Angka %s menurut umur unggahan", "Figures of %s by age"},
	"age.age":            {"Umur", "Age"},
	"age.24h":            {"24 jam", "24 h"},
	"age.7d":             {"7 hari", "7 days"},
	"age.28d":            {"28 hari", "28 days"},
	"age.latest":         {"Kini", "Now"},
	"age.notyet":         {"belum", "not yet"},
	"age.nodata":         {"Belum ada angka dari pengumpulan untuk unggahan ini.", "The collector has no figures for this post yet."},
	"list.external":      {"Unggahan di luar humas", "Posts published outside humas"},
	"list.external.help": {"Terbit langsung di Halaman atau akun pada %s – %s; dari pengumpulan terakhir.", "Published on the Page or account directly from %s to %s, as last collected."},
	"list.title":         {"Daftar unggahan", "Posts"},
	"list.state":         {"Status", "State"},
	"list.from":          {"Dari tanggal", "From"},
	"list.to":            {"Sampai tanggal", "To"},
	"list.q":             {"Cari di keterangan", "Search captions"},
	"list.when":          {"Jadwal", "Scheduled"},
	"list.caption":       {"Keterangan", "Caption"},
	"list.channels":      {"Kanal", "Channels"},
	"list.type":          {"Jenis konten", "Content type"},
	"list.empty":         {"Tidak ada unggahan yang cocok dengan filter.", "No posts match the filters."},
	"list.edit":          {"Ubah", "Edit"},
	"list.view":          {"Lihat", "View"},
	"list.count":         {"%s unggahan", "%s posts"},
	"list.dateerror":     {"Tanggal %q tidak valid; gunakan format TTTT-BB-HH, mis. 2026-11-27.", "Date %q is not valid; use YYYY-MM-DD, e.g. 2026-11-27."},

	"nav.media":                   {"Pustaka media", "Media library"},
	"media.title":                 {"Pustaka media", "Media library"},
	"media.intro":                 {"Foto dan video unit Anda. Gambar diubah otomatis menjadi JPEG yang diterima Instagram (orientasi diluruskan, data lokasi dan EXIF dihapus). Berkas yang tidak dipakai kiriman dihapus otomatis setelah masa tenggang.", "Your unit's photos and videos. Images are converted to JPEGs Instagram accepts (turned upright, location and EXIF data removed). Files no post uses are deleted after a grace period."},
	"media.drop":                  {"Tarik foto atau video ke sini, atau", "Drag photos or videos here, or"},
	"media.pick":                  {"pilih berkas", "choose files"},
	"media.drop.help":             {"JPEG, PNG, WebP atau video MP4/MOV; maksimal %s per berkas. Video besar diunggah bertahap dan dapat dilanjutkan bila koneksi terputus.", "JPEG, PNG, WebP or MP4/MOV video; at most %s per file. Large videos upload in parts and resume if the connection drops."},
	"media.upload":                {"Unggah", "Upload"},
	"media.fromurl":               {"Atau unduh dari URL", "Or download from a URL"},
	"media.fromurl.help":          {"Alamat http(s) publik; humas mengunduh dan menyimpan berkasnya sendiri.", "A public http(s) address; humas downloads and stores the file itself."},
	"media.fromurl.go":            {"Unduh", "Download"},
	"media.empty":                 {"Belum ada media. Unggah foto atau video pertama Anda.", "No media yet. Upload your first photo or video."},
	"media.filter.all":            {"Semua", "All"},
	"media.filter.image":          {"Foto", "Photos"},
	"media.filter.video":          {"Video", "Videos"},
	"media.size":                  {"Ukuran", "Size"},
	"media.dims":                  {"Dimensi", "Dimensions"},
	"media.length":                {"Durasi", "Duration"},
	"media.by":                    {"Diunggah oleh", "Uploaded by"},
	"media.at":                    {"Diunggah", "Uploaded"},
	"media.usedby":                {"Dipakai di", "Used in"},
	"media.unused":                {"Belum dipakai kiriman", "Not used in a post yet"},
	"media.use":                   {"kiriman #%d (%s)", "post #%d (%s)"},
	"media.delete":                {"Hapus", "Delete"},
	"media.delete.confirm":        {"Hapus %s dari pustaka?", "Delete %s from the library?"},
	"media.uploaded":              {"Media #%d tersimpan di pustaka.", "Media #%d stored in the library."},
	"media.uploaded.n":            {"%d berkas tersimpan di pustaka.", "%d files stored in the library."},
	"media.deleted":               {"Media #%d dihapus.", "Media #%d deleted."},
	"media.ok.all":                {"Siap untuk Facebook dan Instagram", "Ready for Facebook and Instagram"},
	"media.changed":               {"Diubah saat diunggah", "Changed on upload"},
	"media.crop.of":               {"potongan %s", "%s crop"},
	"media.deleted.file":          {"berkas sudah dihapus", "file deleted"},
	"media.note.converted_jpeg":   {"diubah menjadi JPEG", "converted to JPEG"},
	"media.note.gif_first_frame":  {"hanya bingkai pertama GIF", "first GIF frame only"},
	"media.note.orientation":      {"orientasi diluruskan", "turned upright"},
	"media.note.scaled":           {"diperkecil ke lebar 1.440 px", "scaled to 1,440 px wide"},
	"media.note.metadata_removed": {"metadata EXIF dihapus", "EXIF metadata removed"},
	"media.note.location_removed": {"lokasi GPS dihapus", "GPS location removed"},
	"media.note.recompressed":     {"dikompresi ulang (di bawah 8 MB)", "recompressed (under 8 MB)"},
	"media.note.flattened":        {"latar transparan menjadi putih", "transparency made white"},
	"media.note.cropped":          {"dipotong", "cropped"},
	"compose.media.title":         {"Foto dan video", "Photos and videos"},
	"compose.media.library":       {"Pilih dari pustaka", "Choose from the library"},
	"compose.media.use":           {"Pakai", "Use"},
	"compose.media.remove":        {"Lepas", "Remove"},
	"compose.media.up":            {"Geser ke kiri", "Move earlier"},
	"compose.media.down":          {"Geser ke kanan", "Move later"},
	"compose.media.crop":          {"Potong", "Crop"},
	"compose.media.crop.none":     {"Asli", "Original"},
	"compose.media.order":         {"Urutan di carousel mengikuti urutan ini.", "The carousel shows them in this order."},
	"compose.media.urls":          {"URL media (satu per baris, opsional)", "Media URLs (one per line, optional)"},
	"compose.media.urls.help":     {"Alamat http(s) publik; saat disimpan humas mengunduh dan menyimpannya di pustaka.", "Public http(s) addresses; humas downloads them into the library when you save."},
	"compose.media.none":          {"Belum ada media dipilih.", "No media chosen yet."},
	"compose.media.uploading":     {"Mengunggah %s", "Uploading %s"},
	"compose.media.retry":         {"Lanjutkan unggahan", "Resume upload"},
	"compose.media.failed":        {"Unggahan terputus: %s", "Upload interrupted: %s"},
	"compose.media.urlbad":        {"URL %s: %s", "URL %s: %s"},
	"compose.captions":            {"Keterangan berbeda per jaringan (opsional)", "A different caption per network (optional)"},
	"compose.captions.help":       {"Kosongkan untuk memakai keterangan di atas. Facebook boleh panjang dan berisi tautan; Instagram maksimal 2.200 karakter dan tautan di keterangan tidak dapat diklik.", "Leave empty to use the caption above. Facebook may be long and carry links; Instagram takes at most 2,200 characters and links in captions are not clickable."},
	"compose.caption.fb":          {"Keterangan Facebook", "Facebook caption"},
	"compose.caption.ig":          {"Keterangan Instagram", "Instagram caption"},
	"compose.preview.title":       {"Pratinjau", "Preview"},
	"compose.preview.help":        {"Perkiraan tampilan; Facebook dan Instagram menentukan tampilan akhirnya.", "An approximation; Facebook and Instagram decide the final look."},
	"compose.preview.more":        {"… selengkapnya", "… more"},
	"compose.preview.nomedia":     {"Tanpa media", "No media"},
	"compose.preview.ig.crop":     {"Instagram memotong gambar ke %s", "Instagram crops the image to %s"},
	"compose.title.new":           {"Tulis unggahan", "New post"},
	"compose.title.edit":          {"Ubah unggahan #%d", "Edit post #%d"},
	"compose.channels":            {"Kanal tujuan", "Target channels"},
	"compose.type":                {"Jenis konten", "Content type"},
	"compose.class":               {"Klasifikasi informasi", "Information classification"},
	"compose.class.help":          {"Informasi dikecualikan wajib disertai alasan (UU KIP).", "Exempt information needs a reason (public information law)."},
	"compose.reason":              {"Alasan pengecualian", "Reason for exemption"},
	"compose.caption":             {"Keterangan (caption)", "Caption"},
	"compose.counts":              {"%s karakter · %s tagar · %s sebutan", "%s characters · %s hashtags · %s mentions"},
	"compose.limits":              {"Batas per platform", "Limits per platform"},
	"compose.limit.chars":         {"maks. %s karakter", "max %s characters"},
	"compose.limit.tags":          {"· maks. %s tagar", "· max %s hashtags"},
	"compose.limit.tagwarn":       {"(disarankan ≤ %s)", "(≤ %s advised)"},
	"compose.limit.mentions":      {"· maks. %s sebutan", "· max %s mentions"},
	"compose.media":               {"URL media (satu per baris)", "Media URLs (one per line)"},
	"compose.media.help":          {"Alamat http(s) publik gambar (JPEG untuk Instagram) atau video (.mp4) yang dapat diunduh platform.", "Public http(s) addresses of images (JPEG for Instagram) or videos (.mp4) the platforms can download."},
	"compose.preview":             {"Pratinjau media", "Media preview"},
	"compose.link":                {"Tautan", "Link"},
	"compose.when":                {"Jadwal terbit (%s)", "Publish at (%s)"},
	"compose.when.help":           {"Tanggal dan jam dalam zona waktu unit: %s.", "Date and time in the unit's time zone: %s."},
	"compose.date":                {"Tanggal", "Date"},
	"compose.time":                {"Jam", "Time"},
	"compose.recurrence":          {"Pengulangan", "Recurrence"},
	"compose.rec.none":            {"Tidak berulang", "Does not repeat"},
	"compose.rec.daily":           {"Setiap hari", "Daily"},
	"compose.rec.weekly":          {"Setiap minggu", "Weekly"},
	"compose.rec.monthly":         {"Setiap bulan", "Monthly"},
	"compose.campaign":            {"Kampanye", "Campaign"},
	"compose.save":                {"Simpan sebagai draf", "Save as draft"},
	"compose.submit":              {"Simpan dan ajukan persetujuan", "Save and submit for approval"},
	"compose.saved":               {"Unggahan #%d tersimpan.", "Post #%d saved."},
	"compose.submitted":           {"Unggahan #%d diajukan untuk persetujuan.", "Post #%d submitted for approval."},
	"compose.nochannels":          {"Belum ada kanal aktif untuk unit Anda. Minta admin menghubungkan Halaman Facebook atau akun Instagram.", "Your unit has no active channel yet. Ask an admin to connect a Facebook Page or Instagram account."},
	"compose.when.bad":            {"Tanggal/jam tidak valid; gunakan kolom tanggal dan jam (mis. 2026-11-27 14.00).", "The date/time is not valid; use the date and time fields (e.g. 2026-11-27 14:00)."},
	"compose.channel.bad":         {"Pilih sedikitnya satu kanal tujuan.", "Choose at least one target channel."},
	"compose.channel.notyou":      {"Kanal #%d bukan milik unit Anda.", "Channel #%d does not belong to your unit."},

	"appr.title":      {"Antrean persetujuan", "Approval queue"},
	"appr.empty":      {"Tidak ada unggahan yang menunggu persetujuan.", "No posts are waiting for approval."},
	"appr.approve":    {"Setujui", "Approve"},
	"appr.reject":     {"Tolak", "Reject"},
	"appr.reason":     {"Alasan penolakan", "Reason for rejection"},
	"appr.reason.bad": {"Tuliskan alasan penolakan agar penulis tahu apa yang harus diperbaiki.", "Write why you reject it so the author knows what to fix."},
	"appr.audit":      {"Jejak audit", "Audit trail"},
	"appr.by":         {"Oleh", "By"},
	"appr.at":         {"Waktu", "When"},
	"appr.action":     {"Tindakan", "Action"},
	"appr.author":     {"Penulis", "Author"},
	"appr.approved":   {"Unggahan #%d disetujui.", "Post #%d approved."},
	"appr.rejected":   {"Unggahan #%d ditolak.", "Post #%d rejected."},

	"post.title":      {"Unggahan #%d", "Post #%d"},
	"post.deliveries": {"Pengiriman per kanal", "Deliveries per channel"},
	"post.status":     {"Status", "Status"},
	"post.permalink":  {"Buka di platform", "Open on the platform"},
	"post.error":      {"Masalah", "Problem"},
	"post.cancel":     {"Batalkan unggahan", "Cancel post"},
	"post.cancel.help": {"Pengiriman yang belum terkirim dibatalkan dan jadwal berulang berhenti; yang sudah tayang tetap tayang. Tindakan ini tidak dapat diurungkan.",
		"Deliveries not yet sent are canceled and any recurrence stops; what is already live stays live. This cannot be undone."},
	"post.cancel.reason": {"Alasan pembatalan (opsional, dicatat di jejak audit)", "Reason for canceling (optional, kept in the audit trail)"},
	"post.canceled":      {"Unggahan #%d dibatalkan.", "Post #%d canceled."},

	"ch.title":       {"Kesehatan kanal", "Channel health"},
	"ch.name":        {"Kanal", "Channel"},
	"ch.platform":    {"Platform", "Platform"},
	"ch.unit":        {"Unit", "Unit"},
	"ch.status":      {"Status", "Status"},
	"ch.token":       {"Token berlaku sampai", "Token expires"},
	"ch.token.never": {"Tidak kedaluwarsa", "Does not expire"},
	"ch.token.soon":  {"Segera kedaluwarsa", "Expires soon"},
	"ch.checked":     {"Diperiksa", "Checked"},
	"ch.missing":     {"Izin yang kurang", "Missing permissions"},
	"ch.collected":   {"Pengumpulan terakhir", "Last collection"},
	"ch.usage":       {"Pemakaian Graph API", "Graph API usage"},
	"ch.paused":      {"Dijeda sampai", "Paused until"},
	"ch.reconnect":   {"Perlu dihubungkan ulang", "Reconnect needed"},
	"ch.active":      {"Aktif", "Active"},
	"ch.disabled":    {"Nonaktif", "Disabled"},
	"ch.empty":       {"Belum ada kanal.", "No channels yet."},
	"ch.notoken":     {"Tidak ada token", "No token"},

	"rep.title":           {"Laporan keterlibatan", "Engagement report"},
	"rep.period":          {"Periode", "Period"},
	"rep.month":           {"Bulan", "Month"},
	"rep.quarter":         {"Triwulan", "Quarter"},
	"rep.custom":          {"Rentang sendiri", "Custom range"},
	"rep.from":            {"Dari", "From"},
	"rep.to":              {"Sampai", "To"},
	"rep.show":            {"Tampilkan", "Show"},
	"rep.unit":            {"Unit", "Unit"},
	"rep.csv":             {"Unduh CSV", "Download CSV"},
	"rep.pdf":             {"Unduh PDF", "Download PDF"},
	"rep.xlsx":            {"Unduh Excel", "Download Excel"},
	"rep.print":           {"Cetak", "Print"},
	"rep.unit.mine":       {"Unit saya (dan di bawahnya)", "My office (and below)"},
	"rep.period.help":     {"Memilih bulan atau triwulan langsung menampilkannya; rentang sendiri dengan tombolnya. Bawaan: bulan penuh terakhir.", "Choosing a month or quarter shows it at once; a custom range with its button. Default: the last full month."},
	"rep.notice":          {"Perhatian: cakupan data", "Note: data coverage"},
	"rep.summary":         {"Ringkasan", "Summary"},
	"rep.findings":        {"Temuan", "Findings"},
	"rep.findings.help":   {"Perbedaan disebut nyata hanya bila lebih besar dari ketidakpastiannya (selang bootstrap 95% atas unggahan); selain itu ditulis \"tidak berbeda bermakna\". Warna hanya untuk perubahan yang bermakna.", "A difference is called real only when it is larger than its uncertainty (a 95% bootstrap interval over posts); otherwise it reads \"not meaningfully different\". Colour marks meaningful changes only."},
	"rep.signature":       {"Pengesahan", "Sign-off"},
	"rep.sig.made":        {"Dibuat oleh,", "Prepared by,"},
	"rep.sig.team":        {"Tim Humas %s", "Public relations team, %s"},
	"rep.sig.blank":       {"(nama dan tanda tangan)", "(name and signature)"},
	"rep.sig.known":       {"Mengetahui,", "Acknowledged by,"},
	"rep.sig.head":        {"Kepala %s", "Head of %s"},
	"lh.logo.alt":         {"Logo %s", "Logo of %s"},
	"sub.link":            {"Kirim laporan ini setiap bulan lewat email", "Email this report every month"},
	"sub.title":           {"Laporan terjadwal lewat email", "Scheduled report emails"},
	"sub.help":            {"Orang yang didaftarkan menerima laporan unit (PDF dan Excel) pada hari kerja pertama setiap bulan (atau minggu), mulai pukul 07.00. Setiap pengiriman tercatat di bawah; yang gagal dicoba lagi otomatis.", "People subscribed get the unit's report (PDF and Excel) on the first working day of each month (or week), from 07:00. Every send is listed below; a failed one is retried automatically."},
	"sub.nomail":          {"Server email (SMTP) belum diatur: laporan terjadwal tercatat tetapi gagal terkirim. Minta admin TI mengisi HUMAS_SMTP_HOST dan HUMAS_SMTP_FROM.", "No mail server (SMTP) is configured: scheduled reports are recorded but fail to send. Ask IT to set HUMAS_SMTP_HOST and HUMAS_SMTP_FROM."},
	"sub.email":           {"Alamat email", "Email address"},
	"sub.name":            {"Nama (opsional)", "Name (optional)"},
	"sub.frequency":       {"Frekuensi", "How often"},
	"sub.monthly":         {"Bulanan", "Monthly"},
	"sub.weekly":          {"Mingguan", "Weekly"},
	"sub.lang":            {"Bahasa", "Language"},
	"sub.add":             {"Daftarkan", "Subscribe"},
	"sub.list":            {"Penerima", "Subscribers"},
	"sub.since":           {"Sejak", "Since"},
	"sub.remove":          {"Hapus", "Remove"},
	"sub.none":            {"Belum ada penerima.", "No subscribers yet."},
	"sub.deliveries":      {"Riwayat pengiriman", "Deliveries"},
	"sub.deliveries.help": {"Pengiriman yang gagal dicoba lagi setelah 5 menit, 15 menit, 1 jam, 3 jam dan 6 jam; sesudah itu berstatus gagal dan dapat dikirim ulang.", "A failed send is retried after 5 minutes, 15 minutes, 1 hour, 3 hours and 6 hours; then it is failed and can be sent again."},
	"sub.attempts":        {"Percobaan", "Attempts"},
	"sub.when":            {"Waktu", "When"},
	"sub.retry":           {"Kirim ulang", "Send again"},
	"sub.sentat":          {"terkirim %s", "sent %s"},
	"sub.nextat":          {"dicoba lagi %s", "next try %s"},
	"sub.nodeliveries":    {"Belum ada pengiriman.", "Nothing sent yet."},
	"sub.st.pending":      {"Menunggu", "Pending"},
	"sub.st.retrying":     {"Dicoba lagi", "Retrying"},
	"sub.st.sent":         {"Terkirim", "Sent"},
	"sub.st.failed":       {"Gagal", "Failed"},
	"sub.added":           {"Penerima didaftarkan.", "Subscriber added."},
	"sub.removed":         {"Penerima dihapus.", "Subscriber removed."},
	"sub.retried":         {"Pengiriman dijadwalkan ulang.", "Delivery scheduled again."},
	"sub.notfailed":       {"Pengiriman #%s tidak berstatus gagal.", "Delivery #%s is not failed."},
	"lh.title":            {"Kop surat: %s", "Letterhead: %s"},
	"lh.choose":           {"Pilih unit", "Choose office"},
	"lh.help":             {"Kop surat, alamat, logo dan penandatangan ini dicetak di laporan (PDF dan cetak) unit ini.", "This letterhead, address, logo and signatory are printed on the office's reports (PDF and print)."},
	"lh.address":          {"Alamat kantor", "Office address"},
	"lh.contact":          {"Kontak", "Contact"},
	"lh.contact.help":     {"Telepon, email, situs web; satu baris.", "Telephone, email, website; one line."},
	"lh.city":             {"Kota (baris tanggal tanda tangan)", "City (on the signature's date line)"},
	"lh.signer":           {"Yang mengetahui laporan", "Who acknowledges the report"},
	"lh.head_title":       {"Jabatan", "Position"},
	"lh.head_name":        {"Nama", "Name"},
	"lh.head_id":          {"NIP", "Staff number (NIP)"},
	"lh.logo":             {"Logo", "Logo"},
	"lh.logo.help":        {"PNG atau JPEG, paling besar %d KiB. Kosongkan untuk mempertahankan logo yang ada.", "PNG or JPEG, at most %d KiB. Leave empty to keep the current logo."},
	"lh.preview":          {"Lihat di laporan", "See it on the report"},
	"lh.saved":            {"Kop surat disimpan.", "Letterhead saved."},
	"nav.letterhead":      {"Kop surat", "Letterhead"},
	"nav.menu":            {"Menu", "Menu"},
	"rep.range":           {"%s – %s, dibandingkan dengan %s – %s", "%s – %s, compared with %s – %s"},
	"rep.cur":             {"Periode ini", "This period"},
	"rep.prev":            {"Periode sebelumnya", "Previous period"},
	"rep.bytype":          {"ER menurut jenis konten", "ER by content type"},
	"rep.byplatform":      {"ER menurut platform", "ER by platform"},
	"rep.chartdesc":       {"Tingkat keterlibatan menurut jangkauan. %s", "Engagement rate by reach. %s"},
	"rep.er":              {"ER (jangkauan)", "ER (reach)"},
	"rep.erprev":          {"ER sebelumnya", "Previous ER"},
	"rep.change":          {"Perubahan", "Change"},
	"rep.posts":           {"Unggahan", "Posts"},
	"rep.reach":           {"Jangkauan", "Reach"},
	"rep.interactions":    {"Interaksi", "Interactions"},
	"rep.top":             {"Unggahan terbaik", "Top posts"},
	"rep.bottom":          {"Unggahan terlemah", "Bottom posts"},
	"rep.besttime":        {"Waktu terbaik untuk mengunggah", "Best time to post"},
	"rep.besttime.desc":   {"Median ER menurut jangkauan per hari dan jam (%s); angka di tiap sel adalah jumlah unggahan. Sel dengan kurang dari %d unggahan ditandai \"sedikit\".", "Median ER by reach per weekday and hour (%s); the number in each cell is how many posts stand behind it. Cells with fewer than %d posts are marked \"few\"."},
	"rep.few":             {"sedikit", "few"},
	"rep.rollup":          {"Rekap per unit", "Roll-up by unit"},
	"rep.definition":      {"Definisi yang dipakai", "Definition used"},
	"rep.nodata":          {"Belum ada data untuk periode ini.", "No data for this period yet."},
	"rep.type":            {"Jenis", "Type"},
	"rep.platform":        {"Platform", "Platform"},
	"rep.published":       {"Terbit", "Published"},
	"rep.link":            {"tautan", "link"},
	"rep.followers":       {"Pengikut", "Followers"},
	"rep.quarter.n":       {"Triwulan %d %d", "Q%d %d"},
	"rep.generated":       {"Dibuat %s oleh humas", "Generated %s by humas"},
	"rep.badperiod":       {"Periode tidak valid: %s", "Invalid period: %s"},
}

// L is a request's language and display zone, with the formatting
// helpers templates call.
type L struct {
	Lang Lang
	Loc  *time.Location
}

// T looks up key and formats args into it. A missing key renders itself
// in brackets so a forgotten text is visible in tests, never a blank.
func (l L) T(key string, args ...any) string {
	e, ok := catalogue[key]
	if !ok {
		return "[" + key + "]"
	}
	s := e[0]
	if l.Lang == LangEN {
		s = e[1]
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Has reports whether key is in the catalogue.
func (l L) Has(key string) bool { _, ok := catalogue[key]; return ok }

// Num formats a number with dec decimals.
func (l L) Num(f float64, dec int) string { return FormatNumber(l.Lang, f, dec) }

// Int formats an integer.
func (l L) Int(n int64) string { return FormatInt(l.Lang, n) }

// Pct formats a ratio as a percentage with two decimals.
func (l L) Pct(f float64) string { return FormatPercent(l.Lang, f, 2) }

// Change formats a change in percentage points.
func (l L) Change(f float64) string { return FormatChange(l.Lang, f) }

// DateTime formats t in the display zone.
func (l L) DateTime(t time.Time) string { return FormatDateTime(l.Lang, t, l.Loc) }

// DateTimeIn formats t in loc.
func (l L) DateTimeIn(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = l.Loc
	}
	return FormatDateTime(l.Lang, t, loc)
}

// DateTimeP formats an optional time ("–" when nil).
func (l L) DateTimeP(t *time.Time) string {
	if t == nil {
		return "–"
	}
	return l.DateTime(*t)
}

// Date formats the day of t in the display zone.
func (l L) Date(t time.Time) string { return FormatDate(l.Lang, t, l.Loc) }

// Clock formats the local time of day ("14.00" / "14:00").
func (l L) Clock(t time.Time) string {
	if l.Lang == LangEN {
		return t.In(l.Loc).Format("15:04")
	}
	return t.In(l.Loc).Format("15.04")
}

// Weekday is the short weekday name.
func (l L) Weekday(t time.Time) string { return weekdayShort(l.Lang, t.In(l.Loc).Weekday()) }

// Month names t's month and year.
func (l L) Month(t time.Time) string { return FormatMonth(l.Lang, t.In(l.Loc)) }

// LongDate formats 1 Desember 2026 (the signature's date line).
func (l L) LongDate(t time.Time) string { return report.LongDate(string(l.Lang), t, l.Loc) }

// Zone is the display zone's abbreviation now (WIB).
func (l L) Zone() string { return ZoneAbbrev(time.Now().In(l.Loc)) }

// Other is the language a switch link offers.
func (l L) Other() Lang {
	if l.Lang == LangEN {
		return LangID
	}
	return LangEN
}

// Pick chooses the text in the page language (falling back to the other).
func (l L) Pick(id, en string) string {
	if (l.Lang == LangEN && en != "") || id == "" {
		return en
	}
	return id
}
