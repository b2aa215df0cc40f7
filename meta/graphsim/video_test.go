package graphsim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestPageVideosEdge checks GET /{page}/videos: uploaded videos at once
// (processing ones included, while their post is not yet in /posts),
// newest first, Meta's default fields and cursor paging, strict params.
func TestPageVideosEdge(t *testing.T) {
	_, clk, srv := newTestSim(t, Options{FBVideoReadyDelay: time.Minute, MaxPageLimit: 2})
	var ids []string
	for i, d := range []string{"Video satu", "Video dua", "Video tiga"} {
		st, m := call(t, srv, http.MethodPost, "/v24.0/"+tPage+"/videos", url.Values{"file_url": {"https://cdn.example.org/v.mp4"}, "description": {d}})
		if st != 200 || m["id"] == nil {
			t.Fatalf("upload %d: %d %v", i, st, m)
		}
		ids = append(ids, m["id"].(string))
		clk.Advance(time.Second)
	}
	// Processing: not on the Page's post lists yet.
	for _, edge := range []string{"posts", "feed", "published_posts"} {
		if _, m := call(t, srv, http.MethodGet, "/v24.0/"+tPage+"/"+edge, nil); len(m["data"].([]any)) != 0 {
			t.Errorf("/%s lists a processing video's post: %v", edge, m)
		}
	}
	// Default fields, newest first, pages of two with a next URL that carries the token.
	st, m := call(t, srv, http.MethodGet, "/v24.0/"+tPage+"/videos", nil)
	if st != 200 {
		t.Fatalf("list: %d %v", st, m)
	}
	data := m["data"].([]any)
	first := data[0].(map[string]any)
	if len(data) != 2 || first["id"] != ids[2] || first["description"] != "Video tiga" || first["updated_time"] == nil || first["status"] != nil {
		t.Fatalf("first page = %v", data)
	}
	paging := m["paging"].(map[string]any)
	next, _ := paging["next"].(string)
	if paging["cursors"] == nil || !strings.Contains(next, "access_token=") || !strings.HasPrefix(next, srv.URL+"/v24.0/"+tPage+"/videos?") {
		t.Fatalf("paging = %v", paging)
	}
	u, _ := url.Parse(next)
	st, m = call(t, srv, http.MethodGet, u.Path, u.Query())
	if data := m["data"].([]any); st != 200 || len(data) != 1 || data[0].(map[string]any)["id"] != ids[0] || m["paging"].(map[string]any)["next"] != nil {
		t.Fatalf("last page: %d %v", st, m)
	}
	// Status and post id of a processing video.
	_, m = call(t, srv, http.MethodGet, "/v24.0/"+tPage+"/videos", url.Values{"fields": {"id,description,created_time,status,post_id"}, "limit": {"1"}})
	v := m["data"].([]any)[0].(map[string]any)
	status := v["status"].(map[string]any)
	if status["video_status"] != "processing" || !strings.HasPrefix(v["post_id"].(string), tPage+"_") || v["created_time"] == nil {
		t.Fatalf("processing video = %v", v)
	}
	// since excludes older uploads.
	since := formatID(uint64(clk.Now().Add(-time.Second).Unix()))
	if _, m = call(t, srv, http.MethodGet, "/v24.0/"+tPage+"/videos", url.Values{"since": {since}}); len(m["data"].([]any)) != 1 {
		t.Errorf("since: %v", m)
	}
	// Processed: the posts appear and the video says ready.
	clk.Advance(time.Minute)
	if _, m = call(t, srv, http.MethodGet, "/v24.0/"+tPage+"/posts", nil); len(m["data"].([]any)) != 2 {
		t.Errorf("posts after processing: %v", m)
	}
	_, m = call(t, srv, http.MethodGet, "/v24.0/"+ids[2], url.Values{"fields": {"status"}})
	if m["status"].(map[string]any)["video_status"] != "ready" {
		t.Errorf("video after processing: %v", m)
	}
	// Strict: unknown fields and types are errors; tagged videos are none here.
	for name, v := range map[string]url.Values{
		"unknown field": {"fields": {"id,caption"}},
		"bad type":      {"type": {"mine"}},
		"bad since":     {"since": {"yesterday-ish"}},
	} {
		if st, m := call(t, srv, http.MethodGet, "/v24.0/"+tPage+"/videos", v); st != 400 {
			t.Errorf("%s: %d %v", name, st, m)
		} else if code, _ := errCode(m); code != 100 {
			t.Errorf("%s: code %d", name, code)
		}
	}
	if _, m = call(t, srv, http.MethodGet, "/v24.0/"+tPage+"/videos", url.Values{"type": {"tagged"}}); len(m["data"].([]any)) != 0 {
		t.Errorf("tagged: %v", m)
	}
	// Reading videos needs pages_read_engagement.
	s2, _, srv2 := newTestSim(t, Options{})
	if err := s2.AddToken("tok-no-read", tPage, time.Time{}, "pages_show_list"); err != nil {
		t.Fatal(err)
	}
	if st, m := call(t, srv2, http.MethodGet, "/v24.0/"+tPage+"/videos", url.Values{"access_token": {"tok-no-read"}}); st != 403 && st != 400 {
		t.Errorf("without pages_read_engagement: %d %v", st, m)
	} else if m["error"] == nil {
		t.Errorf("without pages_read_engagement: %v", m)
	}
}
