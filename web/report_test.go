package web

import (
	"context"
	"encoding/csv"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/auth"
)

// fakeReports returns fixed figures and records the query it was asked.
type fakeReports struct {
	got ReportQuery
}

func (f *fakeReports) Report(_ context.Context, _ auth.Principal, q ReportQuery) (ReportData, error) {
	f.got = q
	rd := ReportData{
		ByType:         []Group{{Key: "photo", Posts: 1234, Reach: 100000, Interactions: 2350, ER: 0.0235}, {Key: "video", Posts: 3, Reach: 1000, Interactions: 40, ER: 0.04}},
		ByTypePrev:     []Group{{Key: "photo", Posts: 10, Reach: 1000, Interactions: 19, ER: 0.019}, {Key: "interactive", Posts: 2, Reach: 100, Interactions: 5, ER: 0.05}},
		ByPlatform:     []Group{{Key: "facebook", Posts: 5, Reach: 500, Interactions: 10, ER: 0.02}},
		ByPlatformPrev: []Group{{Key: "facebook", Posts: 5, Reach: 500, Interactions: 15, ER: 0.03}},
		ByUnit:         []Group{{Key: "7", Label: "KPU <Kota> Salatiga", Posts: 5, Reach: 500, Interactions: 10, ER: 0.02}},
		Top: []PostStat{{Platform: "instagram", PostID: "1", Permalink: "https://www.instagram.com/p/abc/", Caption: "=HYPERLINK(\"x\") <b>top</b>",
			ContentType: "photo", ChannelName: "@kpu", PublishedAt: time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC), Reach: 1000, Interactions: 50, ER: 0.05}},
		Bottom:           []PostStat{{Platform: "facebook", PostID: "2", ContentType: "text", Reach: 10, ER: math.NaN()}},
		BestTimeMinPosts: 3, BestTimeWeeks: 12,
		DefinitionEN: "ER by reach = interactions / reach", DefinitionID: "ER menurut jangkauan = interaksi ÷ jangkauan",
	}
	for r := range rd.BestTime {
		for h := range rd.BestTime[r] {
			rd.BestTime[r][h].Value = math.NaN()
		}
	}
	rd.BestTime[0][9] = GridCell{Value: 0.03, Posts: 4}
	return rd, nil
}

func TestReportPage(t *testing.T) {
	f := &fakeReports{}
	e := newEnv(t, envOpts{reports: f})
	b := e.browser()
	b.signin(auth.RoleViewer)
	r := b.get("/report?period=month&month=2026-10")
	mustStatus(t, r, http.StatusOK)
	if f.got.From.Format("2006-01-02") != "2026-10-01" || f.got.To.Format("2006-01-02") != "2026-10-31" ||
		f.got.PrevFrom.Format("2006-01-02") != "2026-09-01" {
		t.Errorf("asked %+v", f.got)
	}
	mustContain(t, r.Body,
		"Laporan keterlibatan", "1 Okt 2026 – 31 Okt 2026, dibandingkan dengan 1 Sep 2026 – 30 Sep 2026",
		`id="chart-type"`, `id="chart-platform"`, `id="chart-besttime"`, `role="img"`,
		"<title id=\"chart-type-t\">ER menurut jenis konten</title>",
		"Foto: 2,35% (periode sebelumnya 1,90%)",                               // chart description read out
		"1.234", "100.000", "2,35%", `class="num up">&#43;0,45 pp`, "−1,00 pp", // table figures, Indonesian format
		"Interaktif", "KPU &lt;Kota&gt; Salatiga", "&lt;b&gt;top&lt;/b&gt;", `href="https://www.instagram.com/p/abc/"`,
		"ER menurut jangkauan = interaksi ÷ jangkauan", "Waktu terbaik untuk mengunggah", "Sen 09.00: 3,00% (4)",
		"Unduh CSV", `href="/report.csv?month=2026-10&amp;period=month"`, `<option value="2026-Q4"`,
	)
	if strings.Contains(r.Body, "<b>top</b>") {
		t.Error("caption not escaped")
	}
	// Bad period: 400 with the message, in Bahasa Indonesia.
	bad := b.get("/report?period=custom&from=2026-11-10&to=2026-11-01")
	mustStatus(t, bad, http.StatusBadRequest)
	mustContain(t, bad.Body, "Periode tidak valid: tanggal awal 2026-11-10 sesudah tanggal akhir 2026-11-01")

	// English.
	b.get("/lang/en")
	mustContain(t, b.get("/report?period=quarter&quarter=2026-Q3").Body, "Engagement report", "1 Jul 2026 – 30 Sep 2026",
		"ER by reach = interactions / reach", "2.35%")
}

func TestReportCSV(t *testing.T) {
	e := newEnv(t, envOpts{reports: &fakeReports{}})
	b := e.browser()
	b.signin(auth.RoleViewer)
	r := b.get("/report.csv?period=month&month=2026-10")
	mustStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "humas-laporan-2026-10-01_2026-10-31.csv") {
		t.Errorf("disposition %q", cd)
	}
	cr := csv.NewReader(strings.NewReader(r.Body))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	find := func(sec, key string) []string {
		for _, rec := range recs {
			if len(rec) > 2 && rec[0] == sec && rec[1] == key {
				return rec
			}
		}
		t.Fatalf("no %s/%s row in\n%s", sec, key, r.Body)
		return nil
	}
	photo := find("content_type", "photo")
	if photo[5] != "1234" || photo[8] != "0.023500" || photo[12] != "0.019000" || photo[13] != "0.4500" {
		t.Errorf("photo row %q", photo)
	}
	if inter := find("content_type", "interactive"); inter[8] != "" || inter[12] != "0.050000" {
		t.Errorf("interactive row %q", inter)
	}
	top := find("top", "instagram")
	if !strings.HasPrefix(top[10], "'=HYPERLINK") {
		t.Errorf("formula not defused: %q", top[10])
	}
	mustContain(t, r.Body, "definisi,ER menurut jangkauan")
	// Viewer may download; without a session it is a redirect.
	mustStatus(t, e.browser().get("/report.csv"), http.StatusSeeOther)
}

// TestReportFromDemoHistory reads the report over real ClickHouse figures:
// the sandbox's 90 days of demo history collected through the collector.
func TestReportFromDemoHistory(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st := newStack(t, ctx)
	e := &env{t: t, srv: st.web, tokens: map[auth.Role]string{auth.RoleViewer: st.headTok}}
	b := e.browser()
	b.signinPw(st.names[st.headTok], fixedPassword)
	r := b.get("/report?period=custom")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r.Body, `id="chart-type"`, `id="chart-platform"`, `id="chart-besttime"`, "Foto", "Video", "Interaktif",
		"KPU Kota Salatiga", "KPU Provinsi Jawa Tengah", "Interaksi: Facebook reaksi", `class="permalink" href="https://www.`)
	if strings.Contains(r.Body, "Belum ada data") {
		t.Error("the demo report has empty sections")
	}
	csvResp := b.get("/report.csv")
	mustStatus(t, csvResp, http.StatusOK)
	recs, err := csv.NewReader(strings.NewReader(strings.Split(csvResp.Body, "\n\n")[0])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]bool{}
	for _, rec := range recs[1:] {
		if rec[0] == "content_type" && rec[5] != "0" && rec[8] != "" {
			types[rec[1]] = true
		}
	}
	for _, ct := range []string{"photo", "video", "interactive"} {
		if !types[ct] {
			t.Errorf("CSV has no figures for %s: %v", ct, types)
		}
	}
	ch := b.get("/channels")
	mustStatus(t, ch, http.StatusOK)
	mustContain(t, ch.Body, "@kpukotasalatiga", "KPU Provinsi Jawa Tengah")
	if strings.Count(ch.Body, " WIB</td>") < 4 {
		t.Error("channel health lacks last-collection times")
	}
}
