package collector

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/config"
)

func TestCadenceDueAndSlot(t *testing.T) {
	cad, err := newCadence(config.Default().Collector.Cadence) // 1h to 1d, 6h to 7d, 1d to 30d, 7d to 90d
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	now := time.Date(2026, 3, 3, 13, 10, 0, 0, time.UTC) // a Tuesday: weekly slots start on Mondays
	at := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	for _, tc := range []struct {
		name string
		last *time.Time
		want []ageRange
	}{
		{"never collected", nil, []ageRange{{0, 90 * day}}},
		{"same hour", at(5 * time.Minute), nil},
		{"new hour only", at(20 * time.Minute), []ageRange{{0, day}}},
		{"new 6h slot", at(2 * time.Hour), []ageRange{{0, 7 * day}}},
		{"new day", at(14 * time.Hour), []ageRange{{0, 30 * day}}},
		{"last week", at(8 * day), []ageRange{{0, 90 * day}}},
	} {
		if got := cad.due(now, tc.last); !slices.Equal(got, tc.want) {
			t.Errorf("%s: due = %v, want %v", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		age  time.Duration
		want time.Time
	}{
		{time.Hour, time.Date(2026, 3, 3, 13, 0, 0, 0, time.UTC)},
		{3 * day, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)},
		{10 * day, time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)},
		{200 * day, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)},
	} {
		if got := cad.slot(now, tc.age); !got.Equal(tc.want) {
			t.Errorf("slot at age %s = %s, want %s", tc.age, got, tc.want)
		}
	}
	if _, err := newCadence([]config.CadenceStep{{UpTo: config.Duration(day), Every: 0}}); err == nil {
		t.Error("a zero step was accepted")
	}
	if _, err := newCadence([]config.CadenceStep{{UpTo: config.Duration(day), Every: config.Duration(time.Hour)},
		{UpTo: config.Duration(time.Hour), Every: config.Duration(time.Hour)}}); err == nil {
		t.Error("a shrinking up_to was accepted")
	}
}

func TestInferContentType(t *testing.T) {
	for _, tc := range []struct{ media, status, want string }{
		{"photo", "added_photos", TypePhoto}, {"album", "added_photos", TypeInteractive}, {"video", "added_video", TypeVideo},
		{"link", "shared_story", TypeLink}, {"", "mobile_status_update", TypeText}, {"", "added_video", TypeVideo},
		{"", "shared_story", TypeLink},
	} {
		if got := inferFacebook(tc.media, tc.status, TypeInteractive); got != tc.want {
			t.Errorf("facebook %q/%q = %q, want %q", tc.media, tc.status, got, tc.want)
		}
	}
	for _, tc := range []struct{ media, product, want string }{
		{"IMAGE", "FEED", TypePhoto}, {"VIDEO", "REELS", TypeVideo}, {"VIDEO", "FEED", TypeVideo},
		{"CAROUSEL_ALBUM", "FEED", TypeInteractive}, {"IMAGE", "STORY", TypePhoto},
	} {
		if got := inferInstagram(tc.media, tc.product, TypeInteractive); got != tc.want {
			t.Errorf("instagram %q/%q = %q, want %q", tc.media, tc.product, got, tc.want)
		}
	}
	if got := hashtags("Ayo memilih! #Pilkada2026 #pilkada2026 #KPU #12 tanpa#tag"); !slices.Equal(got, []string{"pilkada2026", "kpu", "tag"}) {
		t.Errorf("hashtags = %v", got)
	}
}

func TestSlowdown(t *testing.T) {
	for _, tc := range []struct {
		pct  int
		want time.Duration
	}{{0, 0}, {75, 0}, {80, 2 * time.Second}, {90, 6 * time.Second}, {100, 10 * time.Second}, {130, 10 * time.Second}} {
		if got := slowdown(tc.pct, 75, 10*time.Second); got != tc.want {
			t.Errorf("slowdown(%d%%) = %s, want %s", tc.pct, got, tc.want)
		}
	}
	for path, want := range map[string]string{
		"/v24.0/1001/posts": "1001", "/v24.0/1001_77": "1001", "/v24.0/": "", "/v24.0/debug_token": "", "/x": "",
	} {
		if got := objectOf(path); got != want {
			t.Errorf("objectOf(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestDiskBufferOrderReopenAndFull(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "buf")
	b, err := openBuffer(dir, 4096)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := b.Append(Batch{Snapshots: []SnapshotRow{{PostID: string(rune('a' + i)), Slot: time.Unix(int64(i), 0).UTC()}}}); err != nil {
			t.Fatal(err)
		}
	}
	// A crash mid-append leaves a .tmp file, which reopening discards.
	if err := os.WriteFile(filepath.Join(dir, "00000000000000000009.batch.json.tmp"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err = openBuffer(dir, 4096)
	if err != nil {
		t.Fatal(err)
	}
	if _, segs := b.Size(); segs != 3 {
		t.Fatalf("%d segments after reopening, want 3", segs)
	}
	var order []string
	for {
		seg, batch, ok, err := b.Oldest()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		order = append(order, batch.Snapshots[0].PostID)
		if err := b.Remove(seg); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(order, []string{"a", "b", "c"}) {
		t.Fatalf("replay order %v, want a b c", order)
	}
	if n, _ := b.Size(); n != 0 {
		t.Fatalf("%d bytes left", n)
	}
	big := Batch{Posts: []PostRow{{Caption: strings.Repeat("x", 5000)}}}
	err = b.Append(big)
	if !errors.Is(err, ErrBufferFull) || !strings.Contains(err.Error(), "buffer_max_bytes") || !strings.Contains(err.Error(), "clickhouse.sh start") {
		t.Fatalf("full buffer: %v, want ErrBufferFull saying what to do", err)
	}
}

func TestPacerSlowsBusyChannel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Business-Use-Case-Usage", `{"1001":[{"type":"pages","call_count":90,"total_time":10,"total_cputime":5,"estimated_time_to_regain_access":0}]}`)
		w.Header().Set("X-App-Usage", `{"call_count":5,"total_time":1,"total_cputime":1}`)
		_, _ = w.Write([]byte(`{"data":[]}`))
	}))
	defer srv.Close()
	var slept []time.Duration
	p := newPacer(75, 10*time.Second, func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil })
	var seen []int
	p.onUsage = func(id string, pct int) { seen = append(seen, pct) }
	hc := &http.Client{Transport: p.transport(nil)}
	for _, path := range []string{"/v24.0/1001/posts", "/v24.0/1001/posts", "/v24.0/2002/posts"} {
		resp, err := hc.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	// First call: usage unknown; second: page 1001 at 90% waits 6 s; another Page is not slowed.
	if !slices.Equal(slept, []time.Duration{6 * time.Second}) {
		t.Fatalf("slept %v, want [6s]", slept)
	}
	if len(seen) != 3 || seen[0] != 90 {
		t.Fatalf("usage seen %v", seen)
	}
}
