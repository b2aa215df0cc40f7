package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/report"
)

// fakeReports builds a fixed document for the period asked and records
// the request.
type fakeReports struct {
	mu  sync.Mutex
	got report.Request
	n   int
}

func (f *fakeReports) Build(_ context.Context, r report.Request) (*report.Document, error) {
	f.mu.Lock()
	f.got, f.n = r, f.n+1
	f.mu.Unlock()
	lang := r.Lang
	loc, _ := time.LoadLocation("Asia/Jakarta")
	p := r.Period
	gen := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	er, erPrev := 0.0235, 0.019
	d := &report.Document{Lang: lang, Loc: loc, Period: p, Title: report.T(lang, "title"), Scope: "KPU Kota Salatiga",
		PeriodLabel: p.Label(lang), RangeLabel: report.Dates(lang, p.From, p.To),
		CompareLabel: report.T(lang, "compare", p.PrevLabel(lang), report.Dates(lang, p.PrevFrom, p.PrevTo)), Generated: gen,
		GeneratedLabel: report.T(lang, "generated", report.DateTime(lang, gen, loc)),
		Letterhead:     report.Letterhead{UnitID: r.UnitID, UnitName: "KPU Kota Salatiga", Parent: "KPU Provinsi Jawa Tengah", Address: "Jl. Diponegoro 1, Salatiga", City: "Salatiga"},
		Notices:        []string{"Data unggahan KPU Kota Salatiga (Facebook) baru tersedia sejak 2 Sep 2026; angka periode ini hanya mencakup sebagian periode."},
		Cards: []report.Card{
			{Key: "posts", Label: "Unggahan", Value: "1.237", Change: "+12,0%", Verdict: "tidak berbeda bermakna", Num: 1237, PrevNum: 1104, Format: "int"},
			{Key: "er", Label: "ER menurut jangkauan", Value: "2,35%", Change: "+0,45 pp", Tone: "up", Verdict: "bermakna", Note: "Σ interaksi ÷ Σ jangkauan",
				Num: er, PrevNum: erPrev, Format: "pct"},
		},
		Findings: []report.FindingText{{Kind: "content_type", Text: "Video paling efektif bulan ini (ER 4,0%), di atas foto 2,4%; 1.237 unggahan.", Posts: 1237, Meaningful: true},
			{Kind: "best_time", Text: "ER menurut jam unggah tidak berbeda bermakna bulan ini.", Posts: 1237}},
		Charts: []report.Chart{{ID: "chart-type", Title: "ER menurut jenis konten", Desc: "Tingkat keterlibatan menurut jangkauan. Foto: 2,35% (periode sebelumnya 1,90%)",
			Categories: []string{"Foto", "Video"}, Series: []report.Series{{Name: "Periode ini", Class: "cur", Values: []float64{er, 0.04}},
				{Name: "Periode sebelumnya", Class: "prev", Values: []float64{erPrev, math.NaN()}}}},
			{ID: "chart-platform", Title: "ER menurut platform", Categories: []string{"Facebook"}, Series: []report.Series{{Name: "Periode ini", Class: "cur", Values: []float64{0.02}}}}},
		Definition: "ER menurut jangkauan = interaksi ÷ jangkauan",
	}
	if lang == report.EN {
		d.Definition = "ER by reach = interactions / reach"
	}
	cols := []report.Column{{Head: report.T(lang, "col.type"), Kind: report.Text}, {Head: report.T(lang, "col.posts"), Kind: report.Integer},
		{Head: report.T(lang, "col.er"), Kind: report.Percent}, {Head: report.T(lang, "col.change"), Kind: report.Points}}
	d.Sections = []report.Section{
		{ID: "type", Title: report.T(lang, "sec.type"), Sheet: report.T(lang, "sheet.type"), Columns: cols, Rows: [][]report.Cell{
			{{Text: "Foto", Num: report.NoNum}, {Text: report.Int(lang, 1234), Num: 1234}, {Text: report.Pct(lang, er, 2), Num: er}, {Text: report.PP(lang, er-erPrev), Num: 0.45, Tone: "up"}},
			{{Text: "Video", Num: report.NoNum}, {Text: "3", Num: 3}, {Text: report.Pct(lang, 0.04, 2), Num: 0.04}, {Text: report.PP(lang, -0.01), Num: -1}},
		}},
		{ID: "rollup", Title: report.T(lang, "sec.rollup"), Sheet: report.T(lang, "sheet.rollup"), Columns: cols[:2], Rows: [][]report.Cell{
			{{Text: "KPU <Kota> Salatiga", Num: report.NoNum}, {Text: "5", Num: 5}},
			{{Text: "KPU Kecamatan Sidorejo", Num: report.NoNum, Indent: 1}, {Text: "2", Num: 2}}}},
		{ID: "top", Title: report.T(lang, "sec.top"), Sheet: report.T(lang, "sheet.top"), Columns: []report.Column{
			{Head: report.T(lang, "col.thumb"), Kind: report.Thumb, ScreenOnly: true}, {Head: report.T(lang, "col.published", "WIB"), Kind: report.Stamp},
			{Head: report.T(lang, "col.channel"), Kind: report.Text}, {Head: report.T(lang, "col.caption"), Kind: report.Text},
			{Head: report.T(lang, "col.link"), Kind: report.Text, DataOnly: true}},
			Rows: [][]report.Cell{{{Image: "https://cdn.example.org/top.jpg", Text: "Foto", Num: report.NoNum},
				{Text: "3 Nov 2026 09.00 WIB", Time: time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC), Num: report.NoNum},
				{Text: "@kpu", Num: report.NoNum},
				{Text: `=HYPERLINK("x") <b>top</b>`, Link: "https://www.instagram.com/p/abc/", Num: report.NoNum},
				{Text: "https://www.instagram.com/p/abc/", Num: report.NoNum}}}},
		{ID: "besttime", DataOnly: true, Sheet: report.T(lang, "sheet.besttime"), Columns: []report.Column{{Head: "Hari", Kind: report.Text}}},
	}
	d.BestTime = report.BestTime{Title: report.T(lang, "sec.besttime"), Desc: "Median ER", MinPosts: 3, Few: report.T(lang, "few")}
	for row := range d.BestTime.Cells {
		for h := range d.BestTime.Cells[row] {
			d.BestTime.Cells[row][h].Value = math.NaN()
		}
	}
	d.BestTime.Cells[0][9] = report.GridCell{Value: 0.03, Posts: 4}
	return d, nil
}

func (f *fakeReports) last() (report.Request, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.got, f.n
}

func TestReportPage(t *testing.T) {
	f := &fakeReports{}
	e := newEnv(t, envOpts{reports: f})
	b := e.browser()
	b.signin(auth.RoleViewer)
	r := b.get("/report?period=month&month=2026-10")
	mustStatus(t, r, http.StatusOK)
	got, _ := f.last()
	if got.Period.From.Format("2006-01-02") != "2026-10-01" || got.Period.To.Format("2006-01-02") != "2026-10-31" ||
		got.Period.PrevFrom.Format("2006-01-02") != "2026-09-01" || got.Period.Kind != "month" || got.UnitID != e.unit.ID || got.Lang != "id" {
		t.Errorf("asked %+v", got)
	}
	mustContain(t, r.Body,
		`class="kop"`, "KPU Provinsi Jawa Tengah", "Jl. Diponegoro 1, Salatiga", // letterhead
		"Laporan Kinerja Media Sosial", "<strong>Oktober 2026</strong> (1 Okt 2026 – 31 Okt 2026)", "Dibandingkan dengan September 2026",
		`id="notices"`, "baru tersedia sejak 2 Sep 2026",
		`id="card-er"`, `<span class="card-change up">&#43;0,45 pp</span>`, `<span class="card-change">&#43;12,0%</span>`, // colour only when meaningful
		"tidak berbeda bermakna", "Video paling efektif bulan ini",
		`id="chart-type"`, `id="chart-platform"`, `id="chart-besttime"`, `role="img"`,
		"Foto: 2,35% (periode sebelumnya 1,90%)", // chart description read out
		"1.234", "2,35%", `<td class="num up">&#43;0,45 pp</td>`, `<td class="num">−1,00 pp</td>`,
		"KPU &lt;Kota&gt; Salatiga", `class="indent-1">KPU Kecamatan Sidorejo`,
		"&lt;b&gt;top&lt;/b&gt;", `href="https://www.instagram.com/p/abc/"`, `<img class="pthumb" src="https://cdn.example.org/top.jpg"`,
		"ER menurut jangkauan = interaksi ÷ jangkauan", "Waktu terbaik untuk mengunggah", "Sen 09.00: 3,00% (4)",
		"Unduh PDF", "Unduh Excel", "Unduh CSV", `href="/report.pdf?month=2026-10&amp;period=month"`,
		`<option value="2026-Q3">Triwulan III 2026</option>`, "Mengetahui,", `class="signature print-only"`,
		`src="/static/report.js"`,
	)
	if strings.Contains(r.Body, "<b>top</b>") {
		t.Error("caption not escaped")
	}
	// The raw link (a DataOnly column) is not a cell of the page.
	if strings.Contains(r.Body, ">https://www.instagram.com/p/abc/<") {
		t.Error("a raw link is shown in a cell")
	}
	// Bad period: 400 with the message, in Bahasa Indonesia.
	bad := b.get("/report?period=custom&from=2026-11-10&to=2026-11-01")
	mustStatus(t, bad, http.StatusBadRequest)
	mustContain(t, bad.Body, "Periode tidak valid: tanggal awal 2026-11-10 sesudah tanggal akhir 2026-11-01")

	// English.
	b.get("/lang/en")
	en := b.get("/report?period=quarter&quarter=2026-Q3")
	mustContain(t, en.Body, "Engagement report", "<strong>Q3 2026</strong> (1 Jul 2026 – 30 Sep 2026)", "ER by reach = interactions / reach",
		"2.35%", `<option value="2026-Q3" selected>Q3 2026</option>`)
}

// TestReportPeriodCannotTrap: choosing a month or a quarter selects it
// without pressing a radio button; the default is the last full month.
func TestReportPeriodCannotTrap(t *testing.T) {
	f := &fakeReports{}
	e := newEnv(t, envOpts{reports: f})
	b := e.browser()
	b.signin(auth.RoleViewer)
	today := time.Now().In(e.unit.Location())
	lastMonth := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	for q, want := range map[string][2]string{
		"":                {lastMonth.Format("2006-01-02"), lastMonth.AddDate(0, 1, -1).Format("2006-01-02")},
		"month=2026-11":   {"2026-11-01", "2026-11-30"},
		"quarter=2026-Q3": {"2026-07-01", "2026-09-30"},
		"month=2026-11&quarter=2026-Q2&period=quarter": {"2026-04-01", "2026-06-30"}, // the quarter's button
		"month=2026-11&quarter=2026-Q2&period=month":   {"2026-11-01", "2026-11-30"}, // the month's button
		"from=2026-11-03&to=2026-11-09":                {"2026-11-03", "2026-11-09"},
	} {
		mustStatus(t, b.get("/report?"+q), http.StatusOK)
		got, _ := f.last()
		if got.Period.From.Format("2006-01-02") != want[0] || got.Period.To.Format("2006-01-02") != want[1] {
			t.Errorf("%q showed %s – %s, want %s – %s", q, got.Period.From.Format("2006-01-02"), got.Period.To.Format("2006-01-02"), want[0], want[1])
		}
	}
	mustContain(t, b.get("/report?quarter=2026-Q3").Body, `<option value="2026-Q3" selected>Triwulan III 2026</option>`)
}

// TestViewerLandsOnReport: a division head (viewer) starts on the report,
// an editor on the calendar.
func TestViewerLandsOnReport(t *testing.T) {
	e := newEnv(t, envOpts{reports: &fakeReports{}})
	for role, want := range map[auth.Role]string{auth.RoleViewer: "/report", auth.RoleEditor: "/calendar"} {
		b := e.browser()
		r := b.signinRaw(role, "")
		if loc := r.Header.Get("Location"); loc != want {
			t.Errorf("%s after sign-in goes to %q, want %q", role, loc, want)
		}
		if loc := b.get("/").Header.Get("Location"); loc != want {
			t.Errorf("%s at / goes to %q, want %q", role, loc, want)
		}
	}
	if loc := e.browser().get("/").Header.Get("Location"); loc != "/signin" {
		t.Errorf("a visitor at / goes to %q", loc)
	}
}

func TestReportDownloads(t *testing.T) {
	e := newEnv(t, envOpts{reports: &fakeReports{}})
	b := e.browser()
	b.signin(auth.RoleViewer)

	// CSV in Bahasa Indonesia: BOM, ';', decimal commas, formulas defused.
	r := b.get("/report.csv?period=month&month=2026-10")
	mustStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="laporan-humas-kpu-kota-salatiga-2026-10.csv"`) {
		t.Errorf("disposition %q", cd)
	}
	if !strings.HasPrefix(r.Body, "\ufeff") {
		t.Error("no UTF-8 BOM")
	}
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff")))
	cr.Comma, cr.FieldsPerRecord = ';', -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	find := func(sec, key string) []string {
		for _, rec := range recs {
			if len(rec) > 1 && rec[0] == sec && rec[1] == key {
				return rec
			}
		}
		t.Fatalf("no %s/%s row in\n%s", sec, key, r.Body)
		return nil
	}
	if photo := find("type", "Foto"); photo[2] != "1234" || photo[3] != "0,023500" || photo[4] != "0,4500" {
		t.Errorf("photo row %q", photo)
	}
	if video := find("type", "Video"); video[4] != "-1,0000" {
		t.Errorf("video row %q: a negative change stays a number", video)
	}
	top := recs[0]
	for _, rec := range recs {
		if rec[0] == "top" && len(rec) > 3 && strings.Contains(rec[3], "HYPERLINK") {
			top = rec
		}
	}
	if !strings.HasPrefix(top[3], "'=HYPERLINK") || top[1] != "2026-11-03 09:00" || top[4] != "https://www.instagram.com/p/abc/" {
		t.Errorf("top row %q", top)
	}
	mustContain(t, r.Body, "definition;ER menurut jangkauan")
	// English CSV: commas and dots, no BOM.
	en := b.get("/report.csv?period=month&month=2026-10&lang=en")
	if strings.HasPrefix(en.Body, "\ufeff") || !strings.Contains(en.Body, "type,Foto,1234,0.023500,0.4500") {
		t.Errorf("English CSV:\n%s", en.Body)
	}

	// PDF and Excel of the same document.
	pdf := b.get("/report.pdf?period=month&month=2026-10")
	mustStatus(t, pdf, http.StatusOK)
	if pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF") ||
		!strings.Contains(pdf.Header.Get("Content-Disposition"), "laporan-humas-kpu-kota-salatiga-2026-10.pdf") {
		t.Errorf("pdf: %q %q %q", pdf.Header.Get("Content-Type"), pdf.Header.Get("Content-Disposition"), pdf.Body[:8])
	}
	x := b.get("/report.xlsx?period=month&month=2026-10")
	mustStatus(t, x, http.StatusOK)
	wb, err := excelize.OpenReader(bytes.NewReader([]byte(x.Body)))
	if err != nil {
		t.Fatal(err)
	}
	if sheets := wb.GetSheetList(); strings.Join(sheets, "|") != "Ringkasan|Temuan|Jenis konten|Rekap unit|Unggahan terbaik|Waktu terbaik|Definisi" {
		t.Errorf("sheets %v", sheets)
	}
	// Without a session: the sign-in page.
	for _, p := range []string{"/report.csv", "/report.pdf", "/report.xlsx"} {
		mustStatus(t, e.browser().get(p), http.StatusSeeOther)
	}
}
