package web

// agendaTexts are the agenda's texts.
var agendaTexts = map[string][2]string{
	"nav.agenda":            {"Agenda", "Agenda"},
	"cal.events.count":      {"%s kegiatan agenda", "%s agenda events"},
	"agenda.title":          {"Agenda kegiatan", "Agenda"},
	"agenda.help":           {"Kegiatan unit Anda dan unit di atasnya (tahapan pemilihan, hari nasional, rapat pleno, batas waktu, kampanye), 45 hari ke belakang sampai 120 hari ke depan.", "Events of your unit and the units above it (election stages, national days, plenary meetings, deadlines, campaigns), from 45 days back to 120 days ahead."},
	"agenda.empty":          {"Belum ada kegiatan di agenda.", "The agenda is empty."},
	"agenda.when":           {"Waktu", "When"},
	"agenda.event":          {"Kegiatan", "Event"},
	"agenda.type":           {"Jenis", "Type"},
	"agenda.posts":          {"Unggahan", "Posts"},
	"agenda.noposts":        {"belum ada unggahan", "no post yet"},
	"agenda.write":          {"tulis unggahan", "write a post"},
	"agenda.import":         {"Impor iCalendar (.ics)", "Import iCalendar (.ics)"},
	"agenda.file":           {"Berkas .ics (mis. jadwal tahapan pemilihan)", ".ics file (e.g. the election-stage schedule)"},
	"agenda.deftype":        {"Jenis bila berkas tidak menyebutkan", "Type when the file does not say"},
	"agenda.import.do":      {"Impor", "Import"},
	"agenda.add":            {"Tambah kegiatan", "Add an event"},
	"agenda.date":           {"Tanggal mulai", "Start date"},
	"agenda.time":           {"Jam (kosong: sepanjang hari)", "Time (empty: all day)"},
	"agenda.enddate":        {"Tanggal selesai (opsional)", "End date (optional)"},
	"agenda.add.do":         {"Simpan kegiatan", "Save event"},
	"agenda.added":          {"Kegiatan tersimpan.", "Event saved."},
	"agenda.imported":       {"%d kegiatan diimpor.", "%d events imported."},
	"agenda.nofile":         {"Pilih berkas .ics.", "Choose an .ics file."},
	"agenda.suggest":        {"Kegiatan mendatang yang belum punya unggahan", "Upcoming events without a post"},
	"agenda.link":           {"Tentang kegiatan (agenda)", "About the event (agenda)"},
	"agenda.link.none":      {"— tidak terkait kegiatan —", "— no event —"},
	"evtype.election_stage": {"Tahapan pemilihan", "Election stage"},
	"evtype.national_day":   {"Hari nasional", "National day"},
	"evtype.plenary":        {"Rapat pleno", "Plenary meeting"},
	"evtype.deadline":       {"Batas waktu", "Deadline"},
	"evtype.campaign":       {"Kampanye", "Campaign"},
}

func init() {
	for k, v := range agendaTexts {
		catalogue[k] = v
	}
}
