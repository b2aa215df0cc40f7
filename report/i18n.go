package report

import "fmt"

// texts holds every text of a document: [0] Bahasa Indonesia, [1] English.
var texts = map[string][2]string{
	"title":          {"Laporan Kinerja Media Sosial", "Social Media Performance Report"},
	"scope.all":      {"Semua unit", "All offices"},
	"scope.sub":      {"%s beserta unit di bawahnya", "%s and the offices below it"},
	"scope.one":      {"%s", "%s"},
	"compare":        {"Dibandingkan dengan %s (%s)", "Compared with %s (%s)"},
	"generated":      {"Dibuat %s oleh humas", "Generated %s by humas"},
	"page":           {"Halaman %d dari %s", "Page %d of %s"},
	"summary":        {"Ringkasan", "Summary"},
	"findings":       {"Temuan", "Findings"},
	"findings.help":  {"Perbedaan disebut nyata hanya bila lebih besar dari ketidakpastiannya (selang bootstrap 95% atas unggahan); warna hanya untuk perubahan yang bermakna.", "A difference is called real only when it is larger than its uncertainty (a 95% bootstrap interval over posts); colour marks meaningful changes only."},
	"findings.posts": {"%s unggahan", "%s posts"},
	"notice":         {"Perhatian", "Note"},
	"cov.posts":      {"Data unggahan %s baru tersedia sejak %s; angka periode ini hanya mencakup sebagian periode.", "Post data of %s start only on %s; this period's figures cover part of it."},
	"cov.none":       {"%s belum memiliki data unggahan pada periode ini (data tersedia sejak %s).", "%s has no post data in this period (data start on %s)."},
	"cov.prev":       {"Data periode pembanding (%s) tidak lengkap untuk %s; perubahan jumlah tidak dinilai.", "The comparison period (%s) is incomplete for %s; changes of totals are not judged."},
	"cov.followers":  {"Data pengikut %s baru tercatat sejak %s; pertumbuhan pengikut dihitung sejak tanggal itu.", "Follower counts of %s start on %s; follower growth is counted from that day."},
	"cov.nofollow":   {"Data pengikut %s baru tercatat sejak %s, sesudah periode ini: pertumbuhan pengikut belum dapat dihitung.", "Follower counts of %s start on %s, after this period: follower growth cannot be computed yet."},

	"card.posts":        {"Unggahan", "Posts"},
	"card.reach":        {"Jangkauan", "Reach"},
	"card.interactions": {"Interaksi", "Interactions"},
	"card.er":           {"ER menurut jangkauan", "ER by reach"},
	"card.er.note":      {"Σ interaksi ÷ Σ jangkauan", "Σ interactions ÷ Σ reach"},
	"card.followers":    {"Pertumbuhan pengikut", "Follower growth"},
	"card.prev":         {"sebelumnya %s", "previously %s"},
	"card.meaningful":   {"bermakna", "meaningful"},
	"card.noise":        {"tidak berbeda bermakna", "not meaningfully different"},
	"card.partial":      {"periode tidak lengkap, tidak dinilai", "incomplete period, not judged"},
	"card.untested":     {"tanpa uji ketidakpastian", "no uncertainty test"},
	"card.nodata":       {"belum ada data", "no data yet"},

	"chart.type":     {"ER menurut jenis konten", "ER by content type"},
	"chart.platform": {"ER menurut platform", "ER by platform"},
	"chart.cur":      {"Periode ini", "This period"},
	"chart.prev":     {"Periode sebelumnya", "Previous period"},
	"chart.desc":     {"Tingkat keterlibatan menurut jangkauan. %s", "Engagement rate by reach. %s"},

	"sec.type":              {"Menurut jenis konten", "By content type"},
	"sec.platform":          {"Menurut platform", "By platform"},
	"sec.campaign":          {"Kampanye", "Campaigns"},
	"sec.hashtag":           {"Tagar", "Hashtags"},
	"sec.followers":         {"Pertumbuhan pengikut per kanal", "Follower growth per channel"},
	"sec.responses":         {"Tanggapan atas komentar", "Responses to comments"},
	"sheet.responses":       {"Tanggapan", "Responses"},
	"responses.note":        {"Komentar publik yang dibuat dalam periode ini; dijawab = unit membalasnya (lewat humas atau langsung di platform). Waktu tanggap adalah median dari komentar sampai balasan pertama unit.", "Comments from the public made in this period; answered = the office replied (through humas or on the platform). Response time is the median from the comment to the office's first reply."},
	"responses.none":        {"Belum ada komentar yang terkumpul pada periode ini.", "No comments were collected in this period."},
	"sec.ppid":              {"Layanan permohonan informasi publik (PPID)", "Public-information requests (PPID)"},
	"sheet.ppid":            {"PPID", "PPID"},
	"ppid.note":             {"Menurut bulan diterimanya permohonan. Tepat waktu: dijawab dalam 10 hari kerja (atau 17 bila diperpanjang); terlambat: dijawab sesudah tenggat atau masih terbuka melewati tenggat; hari libur nasional dan cuti bersama tidak dihitung.", "By month of receipt. On time: answered within 10 working days (17 when extended); late: answered after the deadline, or still open past it; public holidays and collective leave do not count."},
	"ppid.none":             {"Tidak ada permohonan informasi pada periode ini.", "No information requests in this period."},
	"col.comments":          {"Komentar", "Comments"},
	"col.answered":          {"Dijawab", "Answered"},
	"col.rate":              {"Tingkat tanggapan", "Response rate"},
	"col.questions":         {"Pertanyaan", "Questions"},
	"col.questionsans":      {"Pertanyaan dijawab", "Questions answered"},
	"col.median":            {"Median waktu tanggap", "Median response time"},
	"col.month":             {"Bulan", "Month"},
	"col.received":          {"Diterima", "Received"},
	"col.ontime":            {"Tepat waktu", "On time"},
	"col.late":              {"Terlambat", "Late"},
	"col.refused":           {"Ditolak", "Refused"},
	"col.open":              {"Masih dalam tenggat", "Open, within the deadline"},
	"col.avgdays":           {"Rata-rata hari kerja", "Average working days"},
	"sec.timeliness":        {"Ketepatan waktu terhadap agenda", "Timeliness against the agenda"},
	"sheet.timeliness":      {"Ketepatan waktu", "Timeliness"},
	"timeliness.note":       {"Unggahan periode ini yang terkait kegiatan agenda (dipilih saat menulis, atau keterangannya menyebut judul kegiatan dalam 14 hari darinya): sebelum, pada hari (selama) kegiatan, atau sesudahnya. ER menurut jangkauan; jeda adalah median dari mulainya kegiatan sampai unggahan terbit.", "Posts of the period tied to an agenda event (chosen when composing, or whose caption names the event's title within 14 days of it): before, on (during) the event's day(s), or after. ER by reach; the lag is the median from the event's start to the post."},
	"timeliness.none":       {"Tidak ada unggahan yang terkait kegiatan agenda pada periode ini.", "No post of this period is tied to an agenda event."},
	"sec.noposts":           {"Kegiatan tanpa unggahan", "Events without a post"},
	"sheet.noposts":         {"Tanpa unggahan", "Without a post"},
	"noposts.none":          {"Setiap kegiatan pada periode ini punya unggahan.", "Every event of the period has a post."},
	"col.timing":            {"Waktu unggahan", "When posted"},
	"col.posts":             {"Unggahan", "Posts"},
	"col.er":                {"ER (jangkauan)", "ER (reach)"},
	"col.lag":               {"Median jeda", "Median lag"},
	"col.event":             {"Kegiatan", "Event"},
	"col.eventtype":         {"Jenis", "Type"},
	"col.date":              {"Tanggal", "Date"},
	"timing.before":         {"Sebelum kegiatan", "Before the event"},
	"timing.on":             {"Pada hari kegiatan", "On the day"},
	"timing.after":          {"Sesudah kegiatan", "After the event"},
	"lag.before":            {"%s sebelum", "%s before"},
	"lag.after":             {"%s sesudah", "%s after"},
	"evtype.election_stage": {"Tahapan pemilihan", "Election stage"},
	"evtype.national_day":   {"Hari nasional", "National day"},
	"evtype.plenary":        {"Rapat pleno", "Plenary meeting"},
	"evtype.deadline":       {"Batas waktu", "Deadline"},
	"evtype.campaign":       {"Kampanye", "Campaign"},
	"minutes":               {"%s menit", "%s min"},
	"hours":                 {"%s jam", "%s h"},
	"days":                  {"%s hari", "%s days"},
	"sec.rollup":            {"Rekap per unit (termasuk sub-unit)", "Roll-up by office (sub-units included)"},
	"sec.top":               {"Unggahan terbaik", "Top posts"},
	"sec.bottom":            {"Unggahan terlemah", "Bottom posts"},
	"sec.besttime":          {"Waktu terbaik untuk mengunggah", "Best time to post"},
	"sec.definition":        {"Definisi yang dipakai", "Definition used"},

	"sheet.summary":   {"Ringkasan", "Summary"},
	"sheet.findings":  {"Temuan", "Findings"},
	"sheet.type":      {"Jenis konten", "Content types"},
	"sheet.platform":  {"Platform", "Platforms"},
	"sheet.campaign":  {"Kampanye", "Campaigns"},
	"sheet.hashtag":   {"Tagar", "Hashtags"},
	"sheet.followers": {"Pengikut", "Followers"},
	"sheet.rollup":    {"Rekap unit", "Offices"},
	"sheet.top":       {"Unggahan terbaik", "Top posts"},
	"sheet.bottom":    {"Unggahan terlemah", "Bottom posts"},
	"sheet.besttime":  {"Waktu terbaik", "Best times"},
	"sheet.def":       {"Definisi", "Definition"},

	"col.type":         {"Jenis konten", "Content type"},
	"col.platform":     {"Platform", "Platform"},
	"col.campaign":     {"Kampanye", "Campaign"},
	"col.hashtag":      {"Tagar", "Hashtag"},
	"col.unit":         {"Unit", "Office"},
	"col.channel":      {"Kanal", "Channel"},
	"col.reach":        {"Jangkauan", "Reach"},
	"col.interactions": {"Interaksi", "Interactions"},
	"col.erprev":       {"ER sebelumnya", "Previous ER"},
	"col.change":       {"Perubahan", "Change"},
	"col.start":        {"Pengikut awal", "Followers at start"},
	"col.end":          {"Pengikut akhir", "Followers at end"},
	"col.growth":       {"Pertumbuhan", "Growth"},
	"col.growthpct":    {"Pertumbuhan (%)", "Growth (%)"},
	"col.growthprev":   {"Pertumbuhan sebelumnya", "Previous growth"},
	"col.thumb":        {"Gambar", "Image"},
	"col.published":    {"Terbit (%s)", "Published (%s)"},
	"col.caption":      {"Awal keterangan", "Caption start"},
	"col.link":         {"Tautan", "Link"},
	"col.weekday":      {"Hari", "Weekday"},
	"col.metric":       {"Ukuran", "Measure"},
	"col.value":        {"Nilai", "Value"},
	"col.prev":         {"Periode sebelumnya", "Previous period"},
	"col.finding":      {"Temuan", "Finding"},
	"col.meaningful":   {"Bermakna", "Meaningful"},
	"col.item":         {"Butir", "Item"},
	"col.text":         {"Keterangan", "Text"},

	"campaign.none":  {"(tanpa kampanye)", "(no campaign)"},
	"hashtag.note":   {"Unggahan dengan beberapa tagar dihitung pada setiap tagarnya; %d tagar terbanyak.", "A post with several hashtags counts under each; the %d most used."},
	"rollup.note":    {"Baris sebuah unit mencakup unggahan unit itu dan semua unit di bawahnya; total laporan menghitung setiap unggahan sekali.", "An office's row includes its own posts and those of every office below it; the report's totals count each post once."},
	"change.note":    {"Perubahan ER dalam poin persentase (pp); diberi warna hanya bila bermakna (selang bootstrap 95%% tidak memuat nol, minimal %d unggahan di tiap periode).", "ER change in percentage points (pp); coloured only when meaningful (the 95%% bootstrap interval excludes zero, at least %d posts in each period)."},
	"besttime.desc":  {"Median ER menurut jangkauan per hari dan jam (%s, %d minggu sampai akhir periode); angka di tiap sel adalah jumlah unggahan. Sel dengan kurang dari %d unggahan ditandai \"sedikit\".", "Median ER by reach per weekday and hour (%s, %d weeks to the end of the period); the number in each cell is how many posts stand behind it. Cells with fewer than %d posts are marked \"few\"."},
	"few":            {"sedikit", "few"},
	"nodata":         {"Belum ada data untuk periode ini.", "No data for this period yet."},
	"followers.none": {"Belum ada data pengikut untuk periode ini.", "No follower counts for this period yet."},

	"sig.place":     {"%s, %s", "%s, %s"},
	"sig.known":     {"Mengetahui,", "Acknowledged by,"},
	"sig.made":      {"Dibuat oleh,", "Prepared by,"},
	"sig.head":      {"Kepala %s", "Head of %s"},
	"sig.team":      {"Tim Humas %s", "Public relations team, %s"},
	"sig.id":        {"NIP. %s", "Staff no. %s"},
	"sig.blank":     {"(nama dan tanda tangan)", "(name and signature)"},
	"def.reach":     {"Metode ER", "ER method"},
	"def.generated": {"Dibuat", "Generated"},
	"def.period":    {"Periode", "Period"},
	"def.compare":   {"Pembanding", "Compared with"},
	"def.scope":     {"Cakupan", "Scope"},

	"ct.photo":       {"Foto", "Photo"},
	"ct.video":       {"Video", "Video"},
	"ct.interactive": {"Interaktif", "Interactive"},
	"ct.text":        {"Teks", "Text"},
	"ct.link":        {"Tautan", "Link"},
	"pf.facebook":    {"Facebook", "Facebook"},
	"pf.instagram":   {"Instagram", "Instagram"},
}

// T looks up key in lang and formats args into it; a missing key renders
// itself in brackets, so a forgotten text shows in tests.
func T(lang, key string, args ...any) string {
	e, ok := texts[key]
	if !ok {
		return "[" + key + "]"
	}
	s := e[0]
	if lang == EN {
		s = e[1]
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// typeLabel names a content type; an unknown one is shown as it is.
func typeLabel(lang, k string) string {
	if _, ok := texts["ct."+k]; ok {
		return T(lang, "ct."+k)
	}
	if k == "" {
		return "–"
	}
	return k
}

func platformLabel(lang, k string) string {
	if _, ok := texts["pf."+k]; ok {
		return T(lang, "pf."+k)
	}
	return k
}

var weekdaysID = [...]string{"Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"}
var weekdaysEN = [...]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

// WeekdayName is the ISO weekday's name (1 = Monday).
func WeekdayName(lang string, iso int) string {
	if iso < 1 || iso > 7 {
		return ""
	}
	if lang == EN {
		return weekdaysEN[iso-1]
	}
	return weekdaysID[iso-1]
}
