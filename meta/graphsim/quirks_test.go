package graphsim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The quirks and admin behaviours of issue 14, on the wire.

func errMsg(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

func TestQuirkPerformedThenError(t *testing.T) {
	s, _, srv := newTestSim(t, Options{Quirks: Quirks{PerformedThenErrorRate: 1}})
	st, m := call(t, srv, http.MethodPost, "/v26.0/"+tPage+"/feed", url.Values{"message": {"Pengumuman"}})
	code, _ := errCode(m)
	if st < 500 || (code != 1 && code != 2 && code != -1) || s.CountText(tPage, "Pengumuman") != 1 {
		t.Fatalf("status %d code %d, on the Page %d: want a 5xx after performing", st, code, s.CountText(tPage, "Pengumuman"))
	}
	if s.Calls().Faults["performed_then_error"] != 1 {
		t.Fatalf("faults %v", s.Calls().Faults)
	}
}

func TestQuirkReelDraftAndReelsFlow(t *testing.T) {
	s, clk, srv := newTestSim(t, Options{FBVideoReadyDelay: time.Minute, Quirks: Quirks{VerticalVideoAsReelDraft: true, OmitVideoPostID: true}})
	const u = "https://cdn.example.org/v.mp4"
	s.SetMediaFile(u, 1080, 1920, 45*time.Second)
	// Through /videos: ready, but no post on the Page (an unpublished Reel draft).
	_, m := call(t, srv, http.MethodPost, "/v26.0/"+tPage+"/videos", url.Values{"file_url": {u}, "description": {"Draf"}})
	draft := m["id"].(string)
	clk.Advance(2 * time.Minute)
	_, m = call(t, srv, http.MethodGet, "/v26.0/"+draft, url.Values{"fields": {"status,post_id"}})
	if st := m["status"].(map[string]any); st["video_status"] != "ready" || m["post_id"] != nil || s.PublishedCount(tPage) != 0 {
		t.Fatalf("vertical video through /videos: %v, published %d", m, s.PublishedCount(tPage))
	}
	// Through the Reels flow: start, upload by file_url, finish.
	_, m = call(t, srv, http.MethodPost, "/v26.0/"+tPage+"/video_reels", url.Values{"upload_phase": {"start"}})
	vid, up := m["video_id"].(string), m["upload_url"].(string)
	if !strings.HasSuffix(up, "/video-upload/v26.0/"+vid) {
		t.Fatalf("upload_url %q", up)
	}
	st, _ := call(t, srv, http.MethodPost, "/v26.0/"+tPage+"/video_reels", url.Values{"upload_phase": {"finish"}, "video_id": {vid}, "video_state": {"PUBLISHED"}})
	if st != 400 {
		t.Fatalf("finish before the upload: %d", st)
	}
	req, _ := http.NewRequest(http.MethodPost, up, nil)
	req.Header.Set("Authorization", "OAuth "+tToken)
	req.Header.Set("file_url", u)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("upload: %v %v", resp, err)
	}
	resp.Body.Close()
	for range 2 { // a finish sent twice publishes once
		if st, m := call(t, srv, http.MethodPost, "/v26.0/"+tPage+"/video_reels", url.Values{"upload_phase": {"finish"}, "video_id": {vid},
			"video_state": {"PUBLISHED"}, "description": {"Reel sosialisasi"}}); st != 200 || m["success"] != true {
			t.Fatalf("finish: %d %v", st, m)
		}
	}
	if _, m := call(t, srv, http.MethodGet, "/v26.0/"+tPage+"/posts", nil); len(m["data"].([]any)) != 0 {
		t.Fatalf("a Reel is listed on the Page before it is processed: %v", m)
	}
	clk.Advance(2 * time.Minute)
	items := s.Published(tPage)
	if len(items) != 1 || items[0].Text != "Reel sosialisasi" {
		t.Fatalf("after processing: %+v", items)
	}
	_, m = call(t, srv, http.MethodGet, "/v26.0/"+tPage+"/posts", url.Values{"fields": {"id,permalink_url,attachments{target{id}}"}})
	p := m["data"].([]any)[0].(map[string]any)
	target := p["attachments"].(map[string]any)["data"].([]any)[0].(map[string]any)["target"].(map[string]any)["id"]
	if p["id"] != items[0].ID || target != vid || !strings.Contains(p["permalink_url"].(string), "/reel/") {
		t.Fatalf("Reel post %v", p)
	}
}

func TestQuirkReelInsightsOnVideo(t *testing.T) {
	s, _, srv := newTestSim(t, Options{Seed: 3, Quirks: Quirks{ReelsInsightsOnVideo: true}})
	if err := s.SeedReels(tPage, 5, 1); err != nil {
		t.Fatal(err)
	}
	_, m := call(t, srv, http.MethodGet, "/v26.0/"+tPage+"/posts", url.Values{"fields": {"id,insights.metric(post_media_view)"}})
	post := m["data"].([]any)[1].(map[string]any)
	views := post["insights"].(map[string]any)["data"].([]any)[0].(map[string]any)["values"].([]any)[0].(map[string]any)["value"]
	_, m = call(t, srv, http.MethodGet, "/v26.0/"+tPage+"/video_reels", url.Values{"fields": {"id,post_id,video_insights.metric(blue_reels_play_count)"}})
	var plays any
	for _, r := range m["data"].([]any) {
		if r := r.(map[string]any); r["post_id"] == post["id"] {
			plays = r["video_insights"].(map[string]any)["data"].([]any)[0].(map[string]any)["values"].([]any)[0].(map[string]any)["value"]
		}
	}
	truth, _ := s.PostCounts(tPage, post["id"].(string))
	if views != float64(0) || plays != float64(truth["views"]) || truth["views"] == 0 {
		t.Fatalf("post_media_view %v, blue_reels_play_count %v, audience views %d", views, plays, truth["views"])
	}
}

func TestQuirkInstagramWordingsAndConversion(t *testing.T) {
	s, clk, srv := newTestSim(t, Options{Seed: 3, Quirks: MetaQuirks()})
	if err := s.SeedHistory(tIG, 10, 2); err != nil {
		t.Fatal(err)
	}
	s.RetireMetric("saved")
	_, m := call(t, srv, http.MethodGet, "/v26.0/"+tIG+"/media", url.Values{"fields": {"id,insights.metric(reach,saved)"}})
	if msg := errMsg(m); !strings.Contains(msg, "metric[1] must be one of the following values") || strings.Contains(msg, ", saved") {
		t.Fatalf("retired saved: %q", msg)
	}
	_, m = call(t, srv, http.MethodGet, "/v26.0/"+tIG+"/media", url.Values{"fields": {"id,insights.metric(impressions)"}})
	if msg := errMsg(m); !strings.Contains(msg, "Starting from version 22 and above, the impressions metric is no longer supported") {
		t.Fatalf("impressions: %q", msg)
	}
	if err := s.SetConverted(tIG, clk.Now().AddDate(0, 0, -5)); err != nil {
		t.Fatal(err)
	}
	_, m = call(t, srv, http.MethodGet, "/v26.0/"+tIG+"/media", url.Values{"fields": {"id,insights.metric(reach)"}, "limit": {"100"}})
	if code, sub := errCode(m); code != 100 || sub != 2108006 {
		t.Fatalf("converted account: %v", m)
	}
}

func TestAdminPolicyBlockOversizeAndTokens(t *testing.T) {
	s, clk, srv := newTestSim(t, Options{AppID: "app", AppSecret: "secret"})
	if err := s.SetPolicyBlock(tPage, BlockPostingRate, clk.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, m := call(t, srv, http.MethodPost, "/v26.0/"+tPage+"/feed", url.Values{"message": {"x"}}); !hasCode(m, 368, 1390008) {
		t.Fatalf("posting block: %v", m)
	}
	if _, m := call(t, srv, http.MethodGet, "/v26.0/"+tPage+"/posts", nil); errCodeOnly(m) != 0 {
		t.Fatalf("reads go on during a block: %v", m)
	}
	clk.Advance(2 * time.Hour)
	if st, m := call(t, srv, http.MethodPost, "/v26.0/"+tPage+"/feed", url.Values{"message": {"x"}}); st != 200 {
		t.Fatalf("after the block: %v", m)
	}
	if err := s.SeedHistory(tPage, 10, 10); err != nil {
		t.Fatal(err)
	}
	if err := s.SetOversize(tPage, 40); err != nil {
		t.Fatal(err)
	}
	_, m := call(t, srv, http.MethodGet, "/v26.0/"+tPage+"/posts", url.Values{"fields": {"id,insights.metric(post_media_view)"}, "limit": {"50"}})
	if !hasCode(m, 1, 0) || !strings.Contains(errMsg(m), "reduce the amount of data") {
		t.Fatalf("oversize page: %v", m)
	}
	// A system user derives the Page token; another app's token has no valid proof.
	if err := s.AddSystemUser("EAAsu", []string{tPage}); err != nil {
		t.Fatal(err)
	}
	_, m = call(t, srv, http.MethodGet, "/v26.0/"+tPage, url.Values{"fields": {"access_token"}, "access_token": {"EAAsu"}})
	derived, _ := m["access_token"].(string)
	_, d := call(t, srv, http.MethodGet, "/v26.0/debug_token", url.Values{"input_token": {derived}, "access_token": {"app|secret"}})
	if data := d["data"].(map[string]any); derived == "" || data["type"] != "PAGE" || data["profile_id"] != tPage {
		t.Fatalf("derived token %q: %v", derived, d)
	}
	if err := s.AddForeignToken("EAAforeign", tPage, "999"); err != nil {
		t.Fatal(err)
	}
	proof := "deadbeef"
	_, m = call(t, srv, http.MethodGet, "/v26.0/"+tPage, url.Values{"access_token": {"EAAforeign"}, "appsecret_proof": {proof}})
	if !strings.Contains(errMsg(m), "Invalid appsecret_proof") {
		t.Fatalf("another app's token: %v", m)
	}
	_, d = call(t, srv, http.MethodGet, "/v26.0/debug_token", url.Values{"input_token": {"EAAforeign"}, "access_token": {"app|secret"}})
	if d["data"].(map[string]any)["app_id"] != "999" {
		t.Fatalf("debug_token of another app's token: %v", d)
	}
}

func TestQuirkStrictContainerFieldsAndFlakyFetch(t *testing.T) {
	s, _, srv := newTestSim(t, Options{Quirks: Quirks{StrictContainerFields: true, MediaFetchFailRate: 1}})
	img := url.Values{"image_url": {"https://x.org/a.jpg"}}
	if _, m := call(t, srv, http.MethodPost, "/v26.0/"+tIG+"/media", img); !hasCode(m, 9004, 2207052) {
		t.Fatalf("first fetch: %v", m)
	}
	if st, m := call(t, srv, http.MethodPost, "/v26.0/"+tIG+"/media", img); st != 200 {
		t.Fatalf("a URL never fails twice in a row: %v", m)
	}
	story := url.Values{"media_type": {"STORIES"}, "image_url": {"https://x.org/s.jpg"}, "caption": {"x"}}
	if _, m := call(t, srv, http.MethodPost, "/v26.0/"+tIG+"/media", story); !strings.Contains(errMsg(m), "caption") {
		t.Fatalf("caption on a story: %v", m)
	}
	if s.Calls().Faults["media_fetch"] != 1 {
		t.Fatalf("faults %v", s.Calls().Faults)
	}
}

func hasCode(m map[string]any, code, sub int) bool {
	c, s := errCode(m)
	return c == code && (sub == 0 || s == sub)
}

func errCodeOnly(m map[string]any) int {
	c, _ := errCode(m)
	return c
}
