package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// TestReportDatesOutsideWindow: on every report route, a date such as
// year 9999 or one before 2004 is a 400 naming the parameter, not a 500
// from ClickHouse.
func TestReportDatesOutsideWindow(t *testing.T) {
	ch := storetest.ClickHouse(t)
	e := analyticsEngine(t, ch)
	routes := []string{"/api/v1/engagement", "/api/v1/engagement/posts", "/api/v1/engagement/best-times",
		"/api/v1/engagement/hashtags", "/api/v1/engagement/campaigns", "/api/v1/followers"}
	queries := []struct{ query, param string }{
		{"from=9999-01-01&to=9999-01-31", "from"},
		{"from=9999-12-01", "from"},
		{"to=9999-12-31", "to"},
		{"from=2025-03-01&to=9999-03-31", "to"},
		{"from=2003-12-01&to=2003-12-31", "from"},
		{"from=0001-01-01&to=0001-01-31", "from"},
	}
	for _, r := range routes {
		for _, q := range queries {
			for _, format := range []string{"", "&format=csv"} {
				w := getReport(e, "GET", r+"?"+q.query+format)
				var body errorBody
				_ = json.Unmarshal(w.Body.Bytes(), &body)
				if w.Code != http.StatusBadRequest || body.Error.Code != "invalid_parameter" || len(body.Error.Fields) != 1 ||
					body.Error.Fields[0].Field != q.param || !strings.Contains(body.Error.Message, "outside the dates reports cover (2004-01-01 to 2099-12-31)") {
					t.Errorf("%s?%s%s: %d %s, want 400 naming %s", r, q.query, format, w.Code, w.Body, q.param)
				}
			}
		}
	}
}

const (
	evilChannel  = `=HYPERLINK("http://evil.example/ch","kanal")`
	evilCampaign = `=HYPERLINK("http://evil.example/c","kampanye")`
	evilCaption  = `=HYPERLINK("http://evil.example/p","baca")`
	evilUnit     = `@SUM(1+1)*cmd|' /C calc'!A0`
)

// seedHostile stores a post whose campaign, caption, channel name and
// unit name are spreadsheet formulas, with figures, and followers that
// fall (a negative growth).
func seedHostile(t *testing.T, ch *store.ClickHouse) {
	t.Helper()
	ctx := context.Background()
	exec := func(query string, rows ...[]any) {
		t.Helper()
		b, err := ch.PrepareBatch(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := b.Append(r...); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Send(); err != nil {
			t.Fatal(err)
		}
	}
	pub := time.Date(2025, 3, 3, 2, 0, 0, 0, time.UTC)
	exec(`INSERT INTO units (unit_id, parent_id, name, timezone, ancestors, version)`,
		[]any{uint64(1), uint64(0), evilUnit, "Asia/Jakarta", []uint64{1}, uint64(1)})
	exec(`INSERT INTO channels (channel_id, platform, account_id, name, unit_id, version)`,
		[]any{uint64(5), "facebook", "acct", evilChannel, uint64(1), uint64(1)})
	exec(`INSERT INTO posts (platform, post_id, channel_id, unit_id, content_type, caption, hashtags, campaign, published_at, permalink, version)`,
		[]any{"facebook", "p1", uint64(5), uint64(1), "photo", evilCaption, []string{"#kpu"}, evilCampaign, pub, "https://fb.test/p1", uint64(1)})
	exec(`INSERT INTO post_metrics (slot, collected_at, platform, post_id, channel_id, published_at, reach, views, reactions, interactions, has_insights)`,
		[]any{pub.Add(time.Hour), pub.Add(time.Hour), "facebook", "p1", uint64(5), pub, uint64(200), uint64(200), uint64(10), uint64(10), uint8(1)})
	var rows [][]any
	for d, n := range map[string]uint64{"2025-03-01": 1000, "2025-03-02": 990} {
		day, _ := time.Parse("2006-01-02", d)
		rows = append(rows, []any{day, day.Add(12 * time.Hour), "facebook", uint64(5), "acct", uint64(1), n, "followers_count"})
	}
	exec(`INSERT INTO account_metrics (day, collected_at, platform, channel_id, account_id, unit_id, followers, metric_source)`, rows...)
}

// TestReportCSVDefusesFormulas: in every API report CSV, a campaign, a
// channel name, a unit name and a caption that are formulas come out as
// text (a leading '), while figures, negative ones included, stay
// numbers.
func TestReportCSVDefusesFormulas(t *testing.T) {
	ch := storetest.ClickHouse(t)
	seedHostile(t, ch)
	e := analyticsEngine(t, ch)
	const period = "from=2025-03-01&to=2025-03-31&format=csv"
	read := func(path string) []map[string]string {
		t.Helper()
		w := getReport(e, "GET", path)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
		recs, err := csv.NewReader(w.Body).ReadAll()
		if err != nil || len(recs) < 2 {
			t.Fatalf("%s: %v %v", path, err, recs)
		}
		var out []map[string]string
		for _, r := range recs[1:] {
			m := map[string]string{}
			for i, k := range recs[0] {
				m[k] = r[i]
			}
			out = append(out, m)
		}
		return out
	}
	text := func(where, got, want string) {
		t.Helper()
		if got != "'"+want {
			t.Errorf("%s = %q, want %q", where, got, "'"+want)
		}
	}
	number := func(where, got string) {
		t.Helper()
		if _, err := strconv.ParseFloat(got, 64); err != nil || strings.HasPrefix(got, "'") {
			t.Errorf("%s = %q, want a plain number", where, got)
		}
	}
	eng := read("/api/v1/engagement?group_by=campaign,channel,unit&" + period)
	text("engagement campaign", eng[0]["campaign"], evilCampaign)
	text("engagement channel_name", eng[0]["channel_name"], evilChannel)
	text("engagement unit_name", eng[0]["unit_name"], evilUnit)
	for _, k := range []string{"channel", "unit", "posts", "reach", "interactions", "engagement_rate"} {
		number("engagement "+k, eng[0][k])
	}
	camp := read("/api/v1/engagement/campaigns?" + period)
	text("campaigns campaign", camp[0]["campaign"], evilCampaign)
	number("campaigns reach", camp[0]["reach"])
	posts := read("/api/v1/engagement/posts?" + period)
	text("posts caption_excerpt", posts[0]["caption_excerpt"], evilCaption)
	text("posts campaign", posts[0]["campaign"], evilCampaign)
	text("posts channel_name", posts[0]["channel_name"], evilChannel)
	for _, k := range []string{"reach", "interactions", "engagement_rate"} {
		number("posts "+k, posts[0][k])
	}
	fol := read("/api/v1/followers?" + period)
	var sawNegative bool
	for _, r := range fol {
		text("followers channel_name", r["channel_name"], evilChannel)
		number("followers followers", r["followers"])
		if r["growth"] == "-10" {
			sawNegative = true
		}
	}
	if !sawNegative {
		t.Errorf("followers CSV has no growth cell \"-10\" (a negative number written as a number): %v", fol)
	}
}
