package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/report"
)

// TestReportFromDemoHistory reads the report over real ClickHouse figures:
// the sandbox's 90 days of demo history collected through the collector,
// as the division head of the province sees November 2026.
func TestReportFromDemoHistory(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	st := newStack(t, ctx)
	e := &env{t: t, srv: st.web, tokens: map[auth.Role]string{auth.RoleViewer: st.headTok}}
	b := e.browser()
	b.signinPw(st.names[st.headTok], fixedPassword)
	r := b.get("/report") // the last full month: November 2026
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r.Body, "<strong>November 2026</strong> (1 Nov 2026 – 30 Nov 2026)", "Dibandingkan dengan Oktober 2026",
		`id="chart-type"`, `id="chart-platform"`, `id="chart-besttime"`, "Foto", "Video", "Interaktif",
		"KPU Kota Salatiga", "KPU Provinsi Jawa Tengah", "Interaksi: Facebook reaksi", `class="permalink" href="https://www.`,
		`id="sec-campaign"`, `id="sec-hashtag"`, `id="sec-followers"`, `id="sec-rollup"`, `class="findings"`,
		"KPU Provinsi Jawa Tengah beserta unit di bawahnya",
		// Follower counts start on the day of the first collection (1 Dec):
		// the report says so instead of showing a growth of zero.
		"Data pengikut", "baru tercatat sejak 1 Des 2026")
	if n := strings.Count(r.Body, `<li class="finding`); n < 3 || n > 5 {
		t.Errorf("%d findings, want 3 to 5", n)
	}
	if strings.Contains(r.Body, "[rep.") || strings.Contains(r.Body, "[card.") {
		t.Error("a text key is missing from the catalogue")
	}

	// The roll-up: the province's row counts its own posts and its city's,
	// so it equals the report's total (each post once).
	bld := NewReportBuilder(st.an, st.orgs)
	start := time.Now()
	doc, err := bld.Build(ctx, report.Request{UnitID: st.prov.ID, Period: report.Month(2026, time.November), Lang: "id"})
	if err != nil {
		t.Fatal(err)
	}
	built := time.Since(start)
	start = time.Now()
	pdf, err := report.PDF(doc)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("November's document built in %s (18 queries, cache off; %d findings), PDF of %d bytes rendered in %s",
		built.Round(time.Millisecond), len(doc.Findings), len(pdf), time.Since(start).Round(time.Millisecond))
	var posts float64
	for _, c := range doc.Cards {
		if c.Key == "posts" {
			posts = c.Num
		}
	}
	for _, s := range doc.Sections {
		if s.ID != "rollup" {
			continue
		}
		if len(s.Rows) != 2 || s.Rows[0][0].Text != "KPU Provinsi Jawa Tengah" || s.Rows[1][0].Indent != 1 {
			t.Fatalf("roll-up rows %+v", s.Rows)
		}
		prov, city := s.Rows[0][1].Num, s.Rows[1][1].Num
		if posts < 100 || prov != posts || city <= 0 || city >= prov {
			t.Errorf("roll-up: province %v posts, city %v, report total %v: the province row must include its city", prov, city, posts)
		}
	}

	// CSV (English): figures per content type.
	csvResp := b.get("/report.csv?lang=en")
	mustStatus(t, csvResp, http.StatusOK)
	cr := csv.NewReader(strings.NewReader(csvResp.Body))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]bool{}
	for _, rec := range recs {
		if rec[0] == "type" && len(rec) > 5 && rec[2] != "0" && rec[5] != "" && rec[1] != "Content type" {
			types[rec[1]] = true
		}
	}
	for _, ct := range []string{"Photo", "Video", "Interactive"} {
		if !types[ct] {
			t.Errorf("CSV has no figures for %s: %v", ct, types)
		}
	}

	// The calendar's month shows the posts published outside humas (every
	// demo post), with a link to the live post and a thumbnail when there
	// is an image.
	cal := b.get("/calendar?view=month&date=2026-11-15")
	mustStatus(t, cal, http.StatusOK)
	ext := strings.Count(cal.Body, `<li class="ext">`)
	if ext < 100 {
		t.Errorf("%d posts outside humas in November's calendar, want the demo history's", ext)
	}
	mustContain(t, cal.Body, "Di luar humas", `class="ext-link" href="https://www.facebook.com/`, `class="ext-link" href="https://www.instagram.com/p/`,
		`<img class="thumb-sm" src="https://`)
	if m := regexp.MustCompile(`(\d+) di luar humas`).FindStringSubmatch(cal.Body); m == nil || m[1] != itoa(int64(ext)) {
		t.Errorf("the count of posts outside humas %v does not match the %d shown", m, ext)
	}
	// The month view shows whole weeks: 26 October to 6 December.
	list := b.get("/posts?from=2026-10-26&to=2026-12-06")
	mustStatus(t, list, http.StatusOK)
	mustContain(t, list.Body, `id="external"`, "Unggahan di luar humas")
	if n := strings.Count(list.Body, `<tr class="ext">`); n != ext {
		t.Errorf("the list shows %d posts outside humas in the weeks of November, the calendar %d", n, ext)
	}

	ch := b.get("/channels")
	mustStatus(t, ch, http.StatusOK)
	mustContain(t, ch.Body, "@kpukotasalatiga", "KPU Provinsi Jawa Tengah")
	if strings.Count(ch.Body, " WIB</td>") < 4 {
		t.Error("channel health lacks last-collection times")
	}
}
