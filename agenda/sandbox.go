package agenda

import (
	"fmt"
	"strings"
	"time"
)

// sandboxStages are the demo election-stage schedule, in days from today
// (start, length), titled as the simulator's demo posts name their topics
// so the timeliness section has figures on the demo history.
var sandboxStages = []struct {
	title, category string
	start, days     int
}{
	{"Pemutakhiran data pemilih", "TAHAPAN", -75, 30},
	{"Rekrutmen badan ad hoc", "TAHAPAN", -60, 14},
	{"Hari Sumpah Pemuda", "HARI NASIONAL", -34, 1},
	{"Pengumuman hasil seleksi", "BATAS WAKTU", -40, 1},
	{"Pendidikan pemilih untuk pemula", "KAMPANYE", -30, 21},
	{"Rapat pleno terbuka", "PLENO", -12, 1},
	{"Hari Guru Nasional", "HARI NASIONAL", -6, 1},
	{"Sosialisasi tahapan pemilihan", "TAHAPAN", 3, 10},
	{"Batas akhir pengajuan pindah memilih", "BATAS WAKTU", 9, 1},
}

// SandboxICS is the sandbox's election-stage schedule as an iCalendar
// file, dated around today (local days in loc): it goes through Import as
// any schedule would.
func SandboxICS(today time.Time, loc *time.Location) string {
	d := today.In(loc)
	base := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//humas//sandbox election-stage schedule//ID\r\n")
	for i, s := range sandboxStages {
		start := base.AddDate(0, 0, s.start)
		end := start.AddDate(0, 0, s.days)
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:sandbox-%02d@humas\r\nSUMMARY:%s\r\nCATEGORIES:%s\r\nDTSTART;VALUE=DATE:%s\r\nDTEND;VALUE=DATE:%s\r\nEND:VEVENT\r\n",
			i+1, s.title, s.category, start.Format("20060102"), end.Format("20060102"))
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.String()
}
