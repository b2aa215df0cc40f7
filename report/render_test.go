package report

import (
	"bytes"
	"encoding/csv"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func testLogo(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 120, 120))
	for y := 0; y < 120; y++ {
		for x := 0; x < 120; x++ {
			c := color.RGBA{R: 180, G: 20, B: 30, A: 255}
			if (x-60)*(x-60)+(y-60)*(y-60) < 35*35 {
				c = color.RGBA{R: 250, G: 200, B: 0, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sampleDoc is a hand-made document with every part, long enough for
// several pages.
func sampleDoc(t testing.TB, lang string) *Document {
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	p := Month(2026, time.November)
	gen := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	d := &Document{Lang: lang, Loc: loc, Period: p, Title: T(lang, "title"), Scope: T(lang, "scope.sub", "KPU Provinsi Jawa Tengah"),
		PeriodLabel: p.Label(lang), RangeLabel: Dates(lang, p.From, p.To),
		CompareLabel: T(lang, "compare", p.PrevLabel(lang), Dates(lang, p.PrevFrom, p.PrevTo)), Generated: gen,
		GeneratedLabel: T(lang, "generated", DateTime(lang, gen, loc)),
		Letterhead: Letterhead{UnitName: "KPU Provinsi Jawa Tengah", Parent: "Komisi Pemilihan Umum", Address: "Jl. Veteran No. 1A, Semarang 50231",
			Contact: "Telp. (024) 8311195 · humas@jateng.kpu.go.id", City: "Semarang", Logo: testLogo(t), LogoType: "png",
			HeadTitle: "Kepala Divisi Sosialisasi dan Partisipasi", HeadName: "Dra. Siti Rahmawati, M.Si.", HeadID: "197001011995032001"},
		Notices: []string{T(lang, "cov.nofollow", "KPU Kota Salatiga (Facebook)", "1 Des 2026")},
		Cards: []Card{
			{Key: "posts", Label: T(lang, "card.posts"), Value: "169", Prev: "sebelumnya 151", Change: "+11,9%", Verdict: T(lang, "card.noise"), Num: 169, PrevNum: 151, Format: "int"},
			{Key: "reach", Label: T(lang, "card.reach"), Value: "1.234.567", Prev: "sebelumnya 1.100.000", Change: "+12,2%", Tone: "up", Verdict: T(lang, "card.meaningful"), Num: 1234567, PrevNum: 1100000, Format: "int"},
			{Key: "interactions", Label: T(lang, "card.interactions"), Value: "54.321", Change: "−3,0%", Num: 54321, PrevNum: 56000, Format: "int"},
			{Key: "er", Label: T(lang, "card.er"), Value: "4,40%", Change: "−0,69 pp", Tone: "down", Note: T(lang, "card.er.note"), Num: 0.044, PrevNum: 0.0509, Format: "pct"},
			{Key: "followers", Label: T(lang, "card.followers"), Value: "–", Verdict: T(lang, "card.nodata"), Num: math.NaN(), PrevNum: math.NaN(), Format: "int"},
		},
		Findings: []FindingText{{Kind: "overall", Text: "ER menurut jangkauan turun 0,7 poin menjadi 4,4% dibanding bulan lalu (5,1%); 169 unggahan bulan ini, 151 bulan lalu.", Posts: 320, Meaningful: true},
			{Kind: "content_type", Text: "Konten interaktif dan video paling efektif bulan ini (ER 5,2% dan 5,1%; tidak berbeda bermakna satu sama lain), di atas foto 3,8%; 169 unggahan.", Posts: 169, Meaningful: true}},
		Charts: []Chart{{ID: "chart-type", Title: T(lang, "chart.type"), Categories: []string{"Foto", "Video", "Interaktif", "Teks", "Tautan"},
			Series: []Series{{Name: T(lang, "chart.cur"), Class: "cur", Values: []float64{0.038, 0.051, 0.052, 0.02, math.NaN()}},
				{Name: T(lang, "chart.prev"), Class: "prev", Values: []float64{0.04, 0.049, 0.06, 0.025, 0.01}}}},
			{ID: "chart-platform", Title: T(lang, "chart.platform"), Categories: []string{"Facebook", "Instagram"},
				Series: []Series{{Name: T(lang, "chart.cur"), Class: "cur", Values: []float64{0.03, 0.061}}, {Name: T(lang, "chart.prev"), Class: "prev", Values: []float64{0.031, 0.058}}}}},
		Definition: "Interaksi: Facebook reaksi + komentar + dibagikan; Instagram suka + komentar + dibagikan + disimpan. engagement_rate = Σ interaksi ÷ Σ jangkauan.",
	}
	roll := Section{ID: "rollup", Title: T(lang, "sec.rollup"), Sheet: T(lang, "sheet.rollup"), Note: T(lang, "rollup.note"),
		Columns: figureColumns(lang, T(lang, "col.unit"), true)}
	for i := 0; i < 60; i++ {
		name := textCell("KPU Kabupaten Contoh dengan Nama yang Cukup Panjang untuk Dibungkus " + string(rune('A'+i%26)))
		name.Indent = 1
		if i == 0 {
			name = textCell("KPU Provinsi Jawa Tengah")
		}
		er := 0.01 * float64(i%7)
		roll.Rows = append(roll.Rows, []Cell{name, intCell(lang, uint64(169-i)), intCell(lang, 123456), intCell(lang, 4321),
			pctCell(lang, &er), pctCell(lang, &er), {Text: PP(lang, 0.009), Num: 0.9, Tone: "up"}})
	}
	top := Section{ID: "top", Title: T(lang, "sec.top"), Sheet: T(lang, "sheet.top"),
		Columns: []Column{{Head: T(lang, "col.thumb"), Kind: Thumb, ScreenOnly: true}, {Head: T(lang, "col.published", "WIB"), Kind: Stamp, Width: 2.1},
			{Head: T(lang, "col.caption"), Kind: Text, Width: 4}, {Head: T(lang, "col.er"), Kind: Percent, Width: 1.3},
			{Head: T(lang, "col.link"), Kind: Text, DataOnly: true}}}
	er := 0.0712
	pub := time.Date(2026, 11, 3, 12, 5, 0, 0, time.UTC)
	top.Rows = [][]Cell{{{Image: "https://cdn.example.org/x.jpg", Num: NoNum}, {Text: DateTime(lang, pub, loc), Time: pub, Num: NoNum},
		{Text: `=HYPERLINK("http://evil.example","klik") Rapat pleno`, Num: NoNum, Link: "https://www.facebook.com/1"}, pctCell(lang, &er),
		textCell("https://www.facebook.com/1")}}
	d.Sections = []Section{roll, top}
	for r := range d.BestTime.Cells {
		for h := range d.BestTime.Cells[r] {
			d.BestTime.Cells[r][h] = GridCell{Value: math.NaN()}
		}
	}
	d.BestTime.Cells[0][9] = GridCell{Value: 0.05, Posts: 6}
	d.BestTime.Cells[3][19] = GridCell{Value: 0.08, Posts: 12}
	d.BestTime.Cells[4][7] = GridCell{Value: math.NaN(), Posts: 2}
	d.BestTime.MinPosts, d.BestTime.Title, d.BestTime.Desc = 3, T(lang, "sec.besttime"), T(lang, "besttime.desc", "WIB", 12, 3)
	d.Sections = append(d.Sections, Section{ID: "besttime", DataOnly: true, Sheet: T(lang, "sheet.besttime"),
		Columns: []Column{{Head: T(lang, "col.weekday"), Kind: Text}, {Head: "09", Kind: Percent}},
		Rows:    [][]Cell{{textCell("Senin"), {Text: "5,00%", Num: 0.05}}}})
	return d
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext is required in CI (apt-get install -y poppler-utils; .ci/run does)")
		}
		t.Skip("pdftotext not installed (poppler-utils)")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "r.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	return string(out)
}

// TestPDF: the letterhead, page numbers on every page, rows never split,
// no raw links, every text at least 8 pt.
func TestPDF(t *testing.T) {
	d := sampleDoc(t, ID)
	pdf, err := PDF(d)
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("HUMAS_ARTIFACTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "report-sample.pdf"), pdf, 0o644)
	}
	text := pdfText(t, pdf)
	pages := strings.Count(text, "\f")
	if pages < 2 {
		t.Fatalf("%d pages, want several:\n%s", pages, text)
	}
	for _, want := range []string{"KOMISI PEMILIHAN UMUM", "KPU PROVINSI JAWA TENGAH", "Jl. Veteran No. 1A, Semarang 50231",
		"LAPORAN KINERJA MEDIA SOSIAL", "Periode: November 2026 (1 Nov 2026 – 30 Nov 2026)", "Dibandingkan dengan Oktober 2026",
		"Ringkasan", "Temuan", "Konten interaktif dan video paling efektif", "ER menurut jenis konten", "Rekap per unit (termasuk sub-unit)",
		"Waktu terbaik untuk mengunggah", "Mengetahui,", "Kepala Divisi Sosialisasi dan Partisipasi", "Dra. Siti Rahmawati, M.Si.",
		"NIP. 197001011995032001", "Semarang, 1 Desember 2026", "Σ interaksi ÷ Σ jangkauan", "Perhatian"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	for i := 1; i <= pages; i++ {
		if want := "Halaman " + itoa(i) + " dari " + itoa(pages); !strings.Contains(text, want) {
			t.Errorf("PDF lacks %q", want)
		}
	}
	if strings.Contains(text, "https://") || strings.Contains(text, "{nb}") {
		t.Error("a raw link or the page-count alias is printed")
	}
	// Each roll-up row's figures stay on the line of its (wrapped) name: a
	// row split across pages would leave a page starting with figures.
	for _, page := range strings.Split(text, "\f") {
		lines := strings.Split(strings.TrimSpace(page), "\n")
		if len(lines) > 3 && strings.HasPrefix(strings.TrimSpace(lines[2]), "169") {
			t.Errorf("a page starts inside a row:\n%s", strings.Join(lines[:4], "\n"))
		}
	}
	// Font sizes: fpdf writes "/F<n> <size> Tf"; none under 8 pt.
	for _, m := range tfRE.FindAllStringSubmatch(string(pdfStreams(t, pdf)), -1) {
		if size := atof(m[1]); size < 8 {
			t.Errorf("text at %.1f pt (under 8 pt)", size)
		}
	}
}

func TestXLSX(t *testing.T) {
	d := sampleDoc(t, ID)
	b, err := XLSX(d)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	want := []string{"Ringkasan", "Temuan", "Rekap unit", "Unggahan terbaik", "Waktu terbaik", "Definisi"}
	if strings.Join(sheets, "|") != strings.Join(want, "|") {
		t.Errorf("sheets %v, want %v", sheets, want)
	}
	// ER is a number with a percentage format.
	v, _ := f.GetCellValue("Ringkasan", "B12")
	raw, _ := f.GetCellValue("Ringkasan", "B12", excelize.Options{RawCellValue: true})
	st, _ := f.GetCellStyle("Ringkasan", "B12")
	style, _ := f.GetStyle(st)
	if label, _ := f.GetCellValue("Ringkasan", "A12"); label != "ER menurut jangkauan" || raw != "0.044" || v != "4.40%" ||
		style.CustomNumFmt == nil || *style.CustomNumFmt != "0.00%" {
		t.Errorf("ER cell: label %q value %q raw %q format %v", label, v, raw, style.CustomNumFmt)
	}
	// Headers in Indonesian; the date a date in WIB; the caption text.
	if h, _ := f.GetCellValue("Unggahan terbaik", "A1"); h != "Terbit (WIB)" {
		t.Errorf("header %q", h)
	}
	rawDate, _ := f.GetCellValue("Unggahan terbaik", "A2", excelize.Options{RawCellValue: true})
	if got := atof(rawDate); math.Abs(got-46329.79514) > 0.0001 { // 3 Nov 2026 19.05 WIB
		t.Errorf("date serial %s", rawDate)
	}
	if typ, _ := f.GetCellType("Unggahan terbaik", "B2"); typ == excelize.CellTypeFormula {
		t.Error("a caption became a formula")
	}
	if formula, _ := f.GetCellFormula("Unggahan terbaik", "B2"); formula != "" {
		t.Errorf("formula %q", formula)
	}
	if def, _ := f.GetCellValue("Definisi", "B2"); !strings.Contains(def, "Σ interaksi ÷ Σ jangkauan") {
		t.Errorf("definition %q", def)
	}
	if dir := os.Getenv("HUMAS_ARTIFACTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "report-sample.xlsx"), b, 0o644)
	}
}

func TestCSV(t *testing.T) {
	var b bytes.Buffer
	if err := CSV(&b, sampleDoc(t, ID)); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	if !strings.HasPrefix(s, BOM) {
		t.Fatal("no BOM")
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(s, BOM)))
	r.Comma, r.FieldsPerRecord = ';', -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var er, caption []string
	for _, rec := range recs {
		if rec[0] == "summary" && len(rec) > 2 && rec[1] == "ER menurut jangkauan" {
			er = rec
		}
		if rec[0] == "top" && len(rec) > 2 && rec[1] != "Terbit (WIB)" {
			caption = rec
		}
	}
	if er == nil || er[2] != "0,044000" || er[3] != "0,050900" {
		t.Errorf("ER row %q", er)
	}
	if caption == nil || !strings.HasPrefix(caption[2], "'=HYPERLINK") || caption[1] != "2026-11-03 19:05" || caption[3] != "0,071200" {
		t.Errorf("top post row %q", caption)
	}
	var en bytes.Buffer
	if err := CSV(&en, sampleDoc(t, EN)); err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(en.String(), BOM) || !strings.Contains(en.String(), "summary,ER by reach,0.044000,0.050900") {
		t.Errorf("English CSV:\n%s", en.String()[:300])
	}
}

// BenchmarkPDF and BenchmarkXLSX render the sample document (a 60-office
// roll-up, five pages).
func BenchmarkPDF(b *testing.B) {
	d := sampleDoc(b, ID)
	for range b.N {
		if _, err := PDF(d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkXLSX(b *testing.B) {
	d := sampleDoc(b, ID)
	for range b.N {
		if _, err := XLSX(d); err != nil {
			b.Fatal(err)
		}
	}
}
