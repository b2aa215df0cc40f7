package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/collector"
	"github.com/humas-id/humas/store/storetest"
)

// reportOffice is the office with the reports mounted over ClickHouse,
// which holds one post of March 2025 per office (units and channels
// mirrored as humas serve mirrors them).
func reportOffice(t *testing.T) *office {
	t.Helper()
	ctx := context.Background()
	o := newOffice(t)
	ch := storetest.ClickHouse(t)
	if err := o.orgs.MirrorToClickHouse(ctx, ch); err != nil {
		t.Fatal(err)
	}
	b, err := ch.PrepareBatch(ctx, `INSERT INTO posts (platform, post_id, channel_id, unit_id, content_type, caption, hashtags, campaign, published_at, permalink, version)`)
	if err != nil {
		t.Fatal(err)
	}
	pub := time.Date(2025, 3, 3, 2, 0, 0, 0, time.UTC)
	type row struct {
		id   string
		unit int64
		ch   int64
	}
	rows := []row{{"prov", o.province.ID, o.provFB.ID}, {"sal", o.city.ID, o.cityFB.ID}, {"mgl", o.other.ID, o.otherFB.ID}}
	for _, r := range rows {
		if err := b.Append("facebook", r.id, uint64(r.ch), uint64(r.unit), "photo", "caption "+r.id, []string{"#kpu"}, "", pub, "https://fb.test/"+r.id, uint64(1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	b, err = ch.PrepareBatch(ctx, `INSERT INTO post_metrics (slot, collected_at, platform, post_id, channel_id, published_at, reach, views, reactions, interactions, has_insights)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := b.Append(pub.Add(time.Hour), pub.Add(time.Hour), "facebook", r.id, uint64(r.ch), pub, uint64(100), uint64(100), uint64(5), uint64(5), uint8(1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	svc, err := analytics.New(ch, analytics.Options{CacheTTL: -1, RefreshEvery: -1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	api.MountAnalytics(o.authed(), svc, o.sched)
	return o
}

// units lists the unit ids of an engagement answer grouped by unit.
func (r reply) units() []int64 {
	var out []int64
	rows, _ := r.at("rows").([]any)
	for _, row := range rows {
		if u, ok := row.(map[string]any)["unit"].(float64); ok {
			out = append(out, int64(u))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// TestReportsAreScopedByUnit: a user reads the reports of their own unit
// and the units below it; a user of the top unit reads its whole tree and
// compares its offices; another unit (or its channel) is 403 naming it, on
// every report route; an admin reads every unit.
func TestReportsAreScopedByUnit(t *testing.T) {
	o := reportOffice(t)
	const march = "from=2025-03-01&to=2025-03-31"
	routes := []string{"/engagement", "/engagement/posts", "/engagement/best-times", "/engagement/hashtags", "/engagement/campaigns", "/followers"}
	for _, route := range routes {
		for _, unit := range []int64{o.other.ID, o.province.ID} {
			r := o.call("editor.salatiga", "GET", route+"?"+march+"&unit="+itoa(unit), nil).must(t, http.StatusForbidden)
			name := map[int64]string{o.other.ID: "KPU Kota Magelang", o.province.ID: "KPU Provinsi Jawa Tengah"}[unit]
			if !strings.Contains(r.str("error.message"), name) || !strings.Contains(r.str("error.message_id"), name) {
				t.Errorf("%s of unit %d: the 403 does not name %q: %s", route, unit, name, r.Raw)
			}
		}
		r := o.call("editor.salatiga", "GET", route+"?"+march+"&channel="+itoa(o.otherFB.ID), nil).must(t, http.StatusForbidden)
		if !strings.Contains(r.str("error.message"), "KPU Kota Magelang") {
			t.Errorf("%s of Magelang's channel: %s", route, r.Raw)
		}
		o.call("editor.salatiga", "GET", route+"?"+march+"&unit="+itoa(o.city.ID), nil).must(t, http.StatusOK)
		o.call("kepala.jateng", "GET", route+"?"+march+"&unit="+itoa(o.city.ID), nil).must(t, http.StatusOK)
	}
	if r := o.call("editor.salatiga", "GET", "/engagement?"+march+"&channel=999", nil).must(t, http.StatusBadRequest); r.str("error.code") != "invalid_parameter" ||
		!strings.HasPrefix(r.str("error.message"), "channel: no channel has id 999") {
		t.Errorf("unknown channel: %s", r.Raw)
	}

	byUnit := "/engagement?" + march + "&group_by=unit"
	// No unit asked: the caller's unit and below.
	if got := o.call("editor.salatiga", "GET", byUnit, nil).must(t, http.StatusOK).units(); !slices.Equal(got, []int64{o.city.ID}) {
		t.Errorf("Salatiga editor, no unit: rows of units %v, want only Salatiga", got)
	}
	// The province's viewer compares its city offices (and itself).
	want := []int64{o.province.ID, o.city.ID, o.other.ID}
	if got := o.call("kepala.jateng", "GET", byUnit+"&unit="+itoa(o.province.ID), nil).must(t, http.StatusOK).units(); !slices.Equal(got, want) {
		t.Errorf("province viewer comparing offices: %v, want %v", got, want)
	}
	if got := o.call("kepala.jateng", "GET", byUnit, nil).must(t, http.StatusOK).units(); !slices.Equal(got, want) {
		t.Errorf("province viewer, no unit: %v, want the whole tree %v", got, want)
	}
	if got := o.call("admin", "GET", byUnit, nil).must(t, http.StatusOK).units(); !slices.Equal(got, want) {
		t.Errorf("admin: %v", got)
	}
	// A city's comparison of the province's offices is refused.
	o.call("editor.magelang", "GET", byUnit+"&unit="+itoa(o.province.ID), nil).must(t, http.StatusForbidden)
}

// TestChannelsAreScopedByUnit: the channel list holds the caller's unit
// and the units below it; another unit's channel is 403 naming the unit.
func TestChannelsAreScopedByUnit(t *testing.T) {
	o := newOffice(t)
	ids := func(r reply) []int64 {
		var out []int64
		for _, c := range r.at("channels").([]any) {
			out = append(out, int64(c.(map[string]any)["id"].(float64)))
		}
		slices.Sort(out)
		return out
	}
	if got := ids(o.call("editor.salatiga", "GET", "/channels", nil).must(t, http.StatusOK)); !slices.Equal(got, []int64{o.cityFB.ID}) {
		t.Errorf("Salatiga editor sees channels %v", got)
	}
	if got := ids(o.call("kepala.jateng", "GET", "/channels", nil).must(t, http.StatusOK)); len(got) != 3 {
		t.Errorf("province viewer sees channels %v, want all 3", got)
	}
	r := o.call("editor.salatiga", "GET", "/channels/"+itoa(o.provFB.ID), nil).must(t, http.StatusForbidden)
	if !strings.Contains(r.str("error.message"), "KPU Provinsi Jawa Tengah") {
		t.Errorf("another unit's channel: %s", r.Raw)
	}
	o.call("editor.salatiga", "GET", "/channels/"+itoa(o.cityFB.ID), nil).must(t, http.StatusOK)
}

// postsByUnit is a collector that knows which unit each collected post
// belongs to and records corrections.
type postsByUnit struct {
	unit map[string]int64
	set  []string
}

func (f *postsByUnit) StartRun(context.Context, collector.RunOptions) (string, error) { return "", nil }
func (f *postsByUnit) RunStatus(context.Context, string) (collector.RunStatus, error) {
	return collector.RunStatus{}, collector.ErrRunNotFound
}
func (f *postsByUnit) PostUnit(_ context.Context, _, id string) (int64, error) {
	u, ok := f.unit[id]
	if !ok {
		return 0, collector.ErrPostNotFound
	}
	return u, nil
}
func (f *postsByUnit) SetContentType(_ context.Context, platform, id, ct string, by auth.Principal) (collector.ContentTypeChange, error) {
	f.set = append(f.set, id+"="+ct+" by "+by.Name)
	return collector.ContentTypeChange{Platform: platform, PostID: id, ContentType: ct}, nil
}

// TestContentTypeCorrectionStaysInTheUnit: PATCH
// /platform-posts/{platform}/{id} is for the post's unit and the units
// above it: another city's editor is refused (403 naming the unit) and
// nothing changes.
func TestContentTypeCorrectionStaysInTheUnit(t *testing.T) {
	o := newOffice(t)
	f := &postsByUnit{unit: map[string]int64{"200_1": o.city.ID}}
	api.MountCollector(o.authed(), f, o.sched)
	body := map[string]any{"content_type": "interactive"}
	r := o.call("editor.magelang", "PATCH", "/platform-posts/facebook/200_1", body).must(t, http.StatusForbidden)
	if !strings.Contains(r.str("error.message"), "KPU Kota Salatiga") || len(f.set) != 0 {
		t.Errorf("Magelang editor: %s (changes %v)", r.Raw, f.set)
	}
	o.call("editor.salatiga", "PATCH", "/platform-posts/facebook/200_1", body).must(t, http.StatusOK)
	o.call("admin", "PATCH", "/platform-posts/facebook/200_1", body).must(t, http.StatusOK)
	o.call("editor.salatiga", "PATCH", "/platform-posts/facebook/404_1", body).must(t, http.StatusNotFound)
	if len(f.set) != 2 || f.set[0] != "200_1=interactive by editor.salatiga" {
		t.Errorf("corrections %v", f.set)
	}
}
