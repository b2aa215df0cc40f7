package graphsim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestComments: the audience comments on a seeded post (some of them
// questions, some replies in a stream listing), the listing matches the
// post's comments summary, the Page replies and hides, and the calls need
// their permissions.
func TestComments(t *testing.T) {
	s, clk, srv := newTestSim(t, Options{})
	if err := s.SetFollowers(tPage, 60000); err != nil {
		t.Fatal(err)
	}
	if err := s.SetFollowers(tIG, 40000); err != nil {
		t.Fatal(err)
	}
	if err := s.SeedHistory(tPage, 4, 3); err != nil {
		t.Fatal(err)
	}
	if err := s.SeedHistory(tIG, 4, 2); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	posts := s.Published(tPage)
	var top, stream []any
	var postID string
	for _, p := range posts {
		_, m := call(t, srv, http.MethodGet, "/v24.0/"+p.ID+"/comments", url.Values{"limit": {"100"}, "fields": {"id,message,created_time,from{id,name},parent{id},is_hidden"}})
		top = m["data"].([]any)
		_, m = call(t, srv, http.MethodGet, "/v24.0/"+p.ID+"/comments", url.Values{"limit": {"100"}, "filter": {"stream"}, "fields": {"id,message,parent{id}"}})
		stream = m["data"].([]any)
		if len(stream) > len(top) && len(top) >= 5 {
			postID = p.ID
			_, pm := call(t, srv, http.MethodGet, "/v24.0/"+p.ID, url.Values{"fields": {"comments.limit(0).summary(true)"}})
			total := pm["comments"].(map[string]any)["summary"].(map[string]any)["total_count"].(float64)
			if d := int(total) - len(stream); d < -1 || d > 1 {
				t.Errorf("summary says %v comments, the stream lists %d", total, len(stream))
			}
			break
		}
	}
	if postID == "" {
		t.Fatalf("no seeded post has replies among its comments")
	}
	questions := 0
	for _, c := range top {
		m := c.(map[string]any)
		if strings.HasSuffix(m["message"].(string), "?") {
			questions++
		}
		if m["from"].(map[string]any)["name"] == "" || m["created_time"] == "" {
			t.Errorf("comment without author or time: %v", m)
		}
	}
	if questions == 0 {
		t.Errorf("no question among %d comments", len(top))
	}

	// The Page replies to a comment; the reply is in the stream with its parent.
	first := top[0].(map[string]any)["id"].(string)
	st, m := call(t, srv, http.MethodPost, "/v24.0/"+first+"/comments", url.Values{"message": {"Terima kasih, informasinya ada di laman kami."}})
	if st != 200 || m["id"] == nil {
		t.Fatalf("reply: %d %v", st, m)
	}
	if got := s.PageReplies(first); len(got) != 1 {
		t.Errorf("page replies %v", got)
	}
	_, m = call(t, srv, http.MethodGet, "/v24.0/"+first+"/comments", url.Values{"fields": {"id,message,from{id,name}"}})
	found := false
	for _, r := range m["data"].([]any) {
		if r.(map[string]any)["from"].(map[string]any)["id"] == tPage {
			found = true
		}
	}
	if !found {
		t.Errorf("the Page's reply is not among the comment's replies: %v", m)
	}
	// Hide.
	if st, m := call(t, srv, http.MethodPost, "/v24.0/"+first, url.Values{"is_hidden": {"true"}}); st != 200 || m["success"] != true {
		t.Fatalf("hide: %d %v", st, m)
	}
	if !s.CommentHidden(first) {
		t.Error("comment not hidden")
	}

	// Instagram: comments with replies expanded, reply, hide.
	var igComment string
	for _, it := range s.Published(tIG) {
		_, m := call(t, srv, http.MethodGet, "/v24.0/"+it.ID+"/comments", url.Values{"fields": {"id,text,timestamp,username,from{id,username},hidden,replies{id,text,timestamp,username}"}})
		if d, _ := m["data"].([]any); len(d) > 0 {
			igComment = d[0].(map[string]any)["id"].(string)
			if d[0].(map[string]any)["username"] == "" {
				t.Errorf("IG comment without username: %v", d[0])
			}
			break
		}
	}
	if igComment == "" {
		t.Fatal("no IG media has comments")
	}
	if st, m := call(t, srv, http.MethodPost, "/v24.0/"+igComment+"/replies", url.Values{"message": {"Halo, silakan cek tautan di bio."}}); st != 200 || m["id"] == nil {
		t.Fatalf("IG reply: %d %v", st, m)
	}
	if st, m := call(t, srv, http.MethodPost, "/v24.0/"+igComment, url.Values{"hide": {"true"}}); st != 200 || m["success"] != true {
		t.Fatalf("IG hide: %d %v", st, m)
	}

	// Permissions: each call names the one it lacks.
	const noUserContent, noEngagement, noIGComments = "tok-no-user-content", "tok-no-engagement", "tok-no-ig-comments"
	all := DefaultPagePerms()
	drop := func(p string) []string {
		var out []string
		for _, x := range all {
			if x != p {
				out = append(out, x)
			}
		}
		return out
	}
	for tok, perm := range map[string]string{noUserContent: "pages_read_user_content", noEngagement: "pages_manage_engagement", noIGComments: "instagram_manage_comments"} {
		if err := s.AddToken(tok, tPage, time.Time{}, drop(perm)...); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, method, path, tok, key, val string
		code                              int
		perm                              string
	}{
		{"read without pages_read_user_content", http.MethodGet, postID + "/comments", noUserContent, "", "", 10, "pages_read_user_content"},
		{"reply without pages_manage_engagement", http.MethodPost, first + "/comments", noEngagement, "message", "x", 200, "pages_manage_engagement"},
		{"hide without pages_manage_engagement", http.MethodPost, first, noEngagement, "is_hidden", "true", 200, "pages_manage_engagement"},
		{"IG read without instagram_manage_comments", http.MethodGet, igComment + "/replies", noIGComments, "", "", 200, "instagram_manage_comments"},
		{"IG reply without instagram_manage_comments", http.MethodPost, igComment + "/replies", noIGComments, "message", "x", 200, "instagram_manage_comments"},
		{"reading with the engagement-less token works", http.MethodGet, postID + "/comments", noEngagement, "", "", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := url.Values{"access_token": {tc.tok}}
			if tc.key != "" {
				v.Set(tc.key, tc.val)
			}
			_, m := call(t, srv, tc.method, "/v24.0/"+tc.path, v)
			code, _ := errCode(m)
			if code != tc.code {
				t.Fatalf("code %d, want %d: %v", code, tc.code, m)
			}
			if tc.perm != "" && !strings.Contains(m["error"].(map[string]any)["message"].(string), tc.perm) {
				t.Errorf("message does not name %s: %v", tc.perm, m)
			}
		})
	}

	// Comments keep coming as a post ages; a new listing has the old ones first.
	n0 := s.CommentCount(posts[len(posts)-1].ID)
	clk.Advance(48 * time.Hour)
	if n1 := s.CommentCount(posts[len(posts)-1].ID); n1 < n0 {
		t.Errorf("comments went from %d to %d", n0, n1)
	}
	if c := s.Calls(); c.ByEndpoint["post_comments_list"] == 0 || c.ByEndpoint["comment_reply"] != 2 || c.ByEndpoint["ig_comment_reply"] != 2 {
		// one answered, one refused for want of a permission (refused calls count too)
		t.Errorf("calls %v", c.ByEndpoint)
	}
}
