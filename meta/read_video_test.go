package meta_test

import (
	"context"
	"testing"
	"time"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
)

// A video still processing is missing from /posts (FindPagePost) but
// FindPageVideo finds it, across pages, with its status and post id.
func TestFindPageVideoWhileProcessing(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, graphsim.Options{FBVideoReadyDelay: 10 * time.Minute, MaxPageLimit: 2}, meta.Options{})
	c := e.client
	since := e.clock.Now()
	var want meta.PostResult
	for i, d := range []string{"Sosialisasi tahapan", "Video pemutakhiran data", "Debat kandidat", "Hari pemungutan suara"} {
		res, err := c.PublishPageVideo(ctx, pageToken, pageID, meta.PageVideo{FileURL: "https://cdn.example.org/v.mp4", Description: d})
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			want = res
		}
		e.clock.Advance(time.Second)
	}
	match := "Video pemutakhiran data"
	if _, found, err := c.FindPagePost(ctx, pageToken, pageID, since, func(p meta.PagePost) bool { return p.Message == match }); err != nil || found {
		t.Fatalf("FindPagePost while processing: found=%v err=%v (the simulator must hide it)", found, err)
	}
	e.sim.ResetCalls()
	v, found, err := c.FindPageVideo(ctx, pageToken, pageID, since, func(v meta.PageVideoInfo) bool { return v.Description == match })
	if err != nil || !found {
		t.Fatalf("FindPageVideo: found=%v err=%v", found, err)
	}
	if v.ID != want.VideoID || v.Status.VideoStatus != "processing" || v.Status.PostID == "" || !v.CreatedTime.Equal(since.Add(time.Second)) {
		t.Fatalf("video = %+v, want id %s processing with a post id", v, want.VideoID)
	}
	if n := e.sim.Calls().ByEndpoint["page_videos_list"]; n != 2 {
		t.Errorf("pages read = %d, want 2 (pages of two, newest first)", n)
	}
	all, err := c.ListPageVideos(ctx, pageToken, pageID, time.Time{})
	if err != nil || len(all) != 4 || all[0].Description != "Hari pemungutan suara" {
		t.Fatalf("ListPageVideos = %+v, %v", all, err)
	}
	recent, err := c.ListPageVideos(ctx, pageToken, pageID, since.Add(2*time.Second))
	if err != nil || len(recent) != 2 {
		t.Fatalf("ListPageVideos since = %+v, %v", recent, err)
	}
	if _, found, err := c.FindPageVideo(ctx, pageToken, pageID, since, func(v meta.PageVideoInfo) bool { return v.Description == "tidak ada" }); err != nil || found {
		t.Fatalf("FindPageVideo no match: found=%v err=%v", found, err)
	}
	e.clock.Advance(10 * time.Minute)
	p, found, err := c.FindPagePost(ctx, pageToken, pageID, since, func(p meta.PagePost) bool { return p.Message == match })
	if err != nil || !found || p.ID != v.Status.PostID {
		t.Fatalf("FindPagePost after processing: %+v found=%v err=%v, want post %s", p, found, err, v.Status.PostID)
	}
}
