package graphsim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	tPage  = "100000000000001"
	tIG    = "17841400000000009"
	tToken = "EAAsimTestToken"
)

var t0 = time.Date(2026, 3, 3, 3, 0, 0, 0, time.UTC)

func newTestSim(t *testing.T, o Options) (*Sim, *ManualClock, *httptest.Server) {
	t.Helper()
	clk := NewManualClock(t0)
	o.Clock = clk.Now
	s := New(o)
	if err := s.AddPage(tPage, "KPU", tToken); err != nil {
		t.Fatal(err)
	}
	if err := s.AddIGAccount(tIG, "kpu", tPage); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, clk, srv
}

// call makes a raw request and decodes the JSON answer.
func call(t *testing.T, srv *httptest.Server, method, path string, v url.Values) (int, map[string]any) {
	t.Helper()
	if v == nil {
		v = url.Values{}
	}
	if !v.Has("access_token") {
		v.Set("access_token", tToken)
	}
	var resp *http.Response
	var err error
	if method == http.MethodGet {
		resp, err = http.Get(srv.URL + path + "?" + v.Encode())
	} else {
		resp, err = http.PostForm(srv.URL+path, v)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		var arr []any
		if json.Unmarshal(b, &arr) == nil {
			return resp.StatusCode, map[string]any{"batch": arr}
		}
		t.Fatalf("%s %s: not JSON: %s", method, path, b)
	}
	return resp.StatusCode, m
}

func errCode(m map[string]any) (code, sub int) {
	e, ok := m["error"].(map[string]any)
	if !ok {
		return 0, 0
	}
	c, _ := e["code"].(float64)
	s, _ := e["error_subcode"].(float64)
	return int(c), int(s)
}

func TestValidation(t *testing.T) {
	_, clk, srv := newTestSim(t, Options{})
	create := func(v url.Values) (int, map[string]any) {
		return call(t, srv, http.MethodPost, "/v24.0/"+tIG+"/media", v)
	}
	img := "https://x.org/a.jpg"
	var items []string
	for i := 0; i < 11; i++ {
		_, m := create(url.Values{"image_url": {img}, "is_carousel_item": {"true"}})
		items = append(items, m["id"].(string))
	}
	tests := []struct {
		name       string
		path       string
		v          url.Values
		code, sub  int
		wantStatus int
	}{
		{"caption 2201 chars", "/media", url.Values{"image_url": {img}, "caption": {strings.Repeat("a", 2201)}}, 36004, 2207010, 400},
		{"caption 2200 chars ok", "/media", url.Values{"image_url": {img}, "caption": {strings.Repeat("é", 2200)}}, 0, 0, 200},
		{"31 hashtags", "/media", url.Values{"image_url": {img}, "caption": {strings.Repeat("#a ", 31)}}, 100, 2207010, 400},
		{"30 hashtags ok", "/media", url.Values{"image_url": {img}, "caption": {strings.Repeat("#a ", 30)}}, 0, 0, 200},
		{"21 mentions", "/media", url.Values{"image_url": {img}, "caption": {strings.Repeat("@u ", 21)}}, 100, 2207040, 400},
		{"png", "/media", url.Values{"image_url": {"https://x.org/a.png"}}, 36001, 2207005, 400},
		{"carousel of 1", "/media", url.Values{"media_type": {"CAROUSEL"}, "children": {items[0]}}, 100, 2207028, 400},
		{"carousel of 11", "/media", url.Values{"media_type": {"CAROUSEL"}, "children": {strings.Join(items, ",")}}, 100, 2207028, 400},
		{"carousel of 10 ok", "/media", url.Values{"media_type": {"CAROUSEL"}, "children": {strings.Join(items[:10], ",")}}, 0, 0, 200},
		{"caption on item", "/media", url.Values{"image_url": {img}, "is_carousel_item": {"true"}, "caption": {"x"}}, 100, 0, 400},
		{"video without REELS", "/media", url.Values{"video_url": {"https://x.org/a.mp4"}}, 100, 2207023, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, m := call(t, srv, http.MethodPost, "/v24.0/"+tIG+tt.path, tt.v)
			code, sub := errCode(m)
			if st != tt.wantStatus || code != tt.code || (tt.sub != 0 && sub != tt.sub) {
				t.Errorf("status %d code %d/%d, want %d %d/%d: %v", st, code, sub, tt.wantStatus, tt.code, tt.sub, m)
			}
		})
	}
	now := clk.Now()
	for name, tc := range map[string]struct {
		at time.Time
		ok bool
	}{
		"5 min ahead": {now.Add(5 * time.Minute), false}, "1 hour ahead": {now.Add(time.Hour), true},
		"29 days ahead": {now.Add(29*24*time.Hour - time.Minute), true}, "31 days ahead": {now.Add(31 * 24 * time.Hour), false},
	} {
		v := url.Values{"message": {"jadwal " + name}, "published": {"false"}, "scheduled_publish_time": {formatID(uint64(tc.at.Unix()))}}
		st, m := call(t, srv, http.MethodPost, "/v24.0/"+tPage+"/feed", v)
		if (st == 200) != tc.ok {
			t.Errorf("schedule %s: status %d %v", name, st, m)
		}
	}
}

func TestWireShapes(t *testing.T) {
	s, clk, srv := newTestSim(t, Options{})
	if err := s.SeedHistory(tPage, 3, 20); err != nil {
		t.Fatal(err)
	}
	st, m := call(t, srv, http.MethodPost, "/v24.0/"+tPage+"/feed", url.Values{"message": {"hi"}})
	id, _ := m["id"].(string)
	if st != 200 || !strings.HasPrefix(id, tPage+"_") {
		t.Fatalf("feed answer %d %v", st, m)
	}
	clk.Advance(time.Hour)

	// Paging: next carries the token and points back at the simulator.
	_, m = call(t, srv, http.MethodGet, "/v24.0/"+tPage+"/posts", url.Values{"limit": {"10"}, "fields": {"id,insights.metric(post_media_view)"}})
	next := m["paging"].(map[string]any)["next"].(string)
	u, _ := url.Parse(next)
	if !strings.HasPrefix(next, srv.URL+"/v24.0/"+tPage+"/posts") || u.Query().Get("access_token") != tToken {
		t.Errorf("next = %s", next)
	}
	ins := m["data"].([]any)[0].(map[string]any)["insights"].(map[string]any)["data"].([]any)[0].(map[string]any)
	for _, k := range []string{"name", "period", "values", "title", "id"} {
		if _, ok := ins[k]; !ok {
			t.Errorf("insight entry lacks %s: %v", k, ins)
		}
	}
	// Batch: {code, headers, body-as-string}.
	batch := `[{"method":"GET","relative_url":"` + id + `?fields=id,message"},{"method":"GET","relative_url":"` + id + `/insights?metric=post_impressions"}]`
	_, m = call(t, srv, http.MethodPost, "/v24.0/", url.Values{"batch": {batch}})
	arr := m["batch"].([]any)
	e0 := arr[0].(map[string]any)
	if e0["code"].(float64) != 200 || !strings.Contains(e0["body"].(string), `"message":"hi"`) {
		t.Errorf("batch entry 0 %v", e0)
	}
	if e1 := arr[1].(map[string]any); e1["code"].(float64) != 400 || !strings.Contains(e1["body"].(string), "valid insights metric") {
		t.Errorf("batch entry 1 %v", e1)
	}
	// ids= counts one call per id.
	s.ResetCalls()
	_, m = call(t, srv, http.MethodGet, "/v24.0/", url.Values{"ids": {id + "," + tPage}, "fields": {"id"}})
	if len(m) != 2 || s.Calls().Total != 2 {
		t.Errorf("ids answer %v, calls %d", m, s.Calls().Total)
	}
	// Unknown field is rejected.
	if _, m = call(t, srv, http.MethodGet, "/v24.0/"+id, url.Values{"fields": {"id,impressions"}}); func() int { c, _ := errCode(m); return c }() != 100 {
		t.Errorf("unknown field accepted: %v", m)
	}
	// Wrong token → 190; bad proof → 100.
	if _, m = call(t, srv, http.MethodGet, "/v24.0/"+tPage, url.Values{"access_token": {"nope"}}); func() int { c, _ := errCode(m); return c }() != 190 {
		t.Errorf("wrong token: %v", m)
	}
}

func TestProofRequired(t *testing.T) {
	_, _, srv := newTestSim(t, Options{AppID: "1", AppSecret: "sec", RequireProof: true})
	_, m := call(t, srv, http.MethodGet, "/v24.0/"+tPage, nil)
	if c, _ := errCode(m); c != 100 || !strings.Contains(m["error"].(map[string]any)["message"].(string), "require an appsecret_proof") {
		t.Errorf("missing proof: %v", m)
	}
	_, m = call(t, srv, http.MethodGet, "/v24.0/"+tPage, url.Values{"appsecret_proof": {"00"}})
	if c, _ := errCode(m); c != 100 {
		t.Errorf("bad proof: %v", m)
	}
}

func TestAudienceModel(t *testing.T) {
	s := New(Options{Seed: 42})
	at := time.Date(2026, 1, 6, 12, 0, 0, 0, jakarta) // Tuesday noon
	// Deterministic, monotone, saturating.
	a := s.audience("1_1", igCarousel, at, 10000, at.Add(24*time.Hour))
	b := New(Options{Seed: 42}).audience("1_1", igCarousel, at, 10000, at.Add(24*time.Hour))
	if a.reach != b.reach || a.likes != b.likes {
		t.Error("audience not deterministic")
	}
	r1 := s.audience("1_1", igCarousel, at, 10000, at.Add(6*time.Hour)).reach
	r3 := s.audience("1_1", igCarousel, at, 10000, at.Add(72*time.Hour)).reach
	r7 := s.audience("1_1", igCarousel, at, 10000, at.Add(7*24*time.Hour)).reach
	if !(r1 < a.reach && a.reach < r3 && r3 <= r7) || float64(r3) < 0.95*float64(r7) {
		t.Errorf("reach curve 6h=%d 24h=%d 72h=%d 7d=%d", r1, a.reach, r3, r7)
	}
	if a.views < a.reach {
		t.Error("views < reach")
	}
	// Average engagement rate by kind and hour over many posts.
	er := func(kind string, hour int) float64 {
		var inter, reach float64
		for i := 0; i < 400; i++ {
			pub := time.Date(2026, 1, 6, hour, 0, 0, 0, jakarta)
			f := s.audience(formatID(uint64(i)), kind, pub, 10000, pub.Add(7*24*time.Hour))
			inter += float64(f.likes + f.comments + f.shares + f.saved + f.reactionTotal())
			reach += float64(f.reach)
		}
		return inter / reach
	}
	if !(er(igCarousel, 12) > er(igReel, 12) && er(igReel, 12) > er(igImage, 12)) {
		t.Errorf("IG ER carousel %.4f reel %.4f image %.4f", er(igCarousel, 12), er(igReel, 12), er(igImage, 12))
	}
	if !(er(fbVideo, 12) > er(fbPhoto, 12) && er(fbPhoto, 12) > er(fbLink, 12)) {
		t.Errorf("FB ER video %.4f photo %.4f link %.4f", er(fbVideo, 12), er(fbPhoto, 12), er(fbLink, 12))
	}
	if er(fbPhoto, 19) <= er(fbPhoto, 3) {
		t.Error("evening not better than night")
	}
}

func TestStartAndDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	base, sim, stop, err := Start(ctx, "127.0.0.1:0", Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	accts, err := sim.SetupDemo(90)
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 2 || sim.PublishedCount(accts[0].PageID) != 180 || sim.PublishedCount(accts[0].IGID) != 90 {
		t.Fatalf("demo accounts %d, posts %d", len(accts), sim.PublishedCount(accts[0].PageID))
	}
	resp, err := http.Get(base + "/v24.0/" + accts[1].PageID + "?fields=followers_count,instagram_business_account&access_token=" + accts[1].PageToken)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), accts[1].IGID) {
		t.Errorf("demo page: %d %s", resp.StatusCode, b)
	}
	sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
	defer c()
	if err := stop(sctx); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(base + "/v24.0/x"); err == nil {
		t.Error("server still answering after stop")
	}
}

func TestFieldParser(t *testing.T) {
	fs, err := parseFields("id, reactions.type(LOVE).limit(0).summary(total_count).as(love),insights.metric(a,b),children{id,media_type}")
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 4 || fs[1].key() != "love" || fs[1].mods["type"] != "LOVE" || fs[2].mods["metric"] != "a,b" || len(fs[3].sub) != 2 {
		t.Errorf("parsed %+v", fs)
	}
	for _, bad := range []string{"id,", "a.b", "x{y", "insights.metric(a"} {
		if _, err := parseFields(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
