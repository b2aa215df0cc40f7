package meta_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
)

func TestPublishPage(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, graphsim.Options{RequireProof: true}, meta.Options{})
	c := e.client

	text, err := c.PublishPageFeed(ctx, pageToken, pageID, meta.FeedPost{Message: "Rapat pleno terbuka hari ini"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text.PostID, pageID+"_") {
		t.Errorf("feed post id %q: want <page>_<post>", text.PostID)
	}
	link, err := c.PublishPageFeed(ctx, pageToken, pageID, meta.FeedPost{Message: "Baca beritanya", Link: "https://kpu.go.id/berita/1"})
	if err != nil {
		t.Fatal(err)
	}
	photo, err := c.PublishPagePhoto(ctx, pageToken, pageID, meta.PagePhoto{URL: "https://cdn.example.org/a.jpg", Message: "Foto kegiatan"})
	if err != nil {
		t.Fatal(err)
	}
	if photo.PhotoID == "" || !strings.HasPrefix(photo.PostID, pageID+"_") {
		t.Errorf("photo result %+v", photo)
	}
	album, err := c.PublishPagePhotos(ctx, pageToken, pageID, meta.PagePhotos{
		URLs: []string{"https://cdn.example.org/1.jpg", "https://cdn.example.org/2.jpg", "https://cdn.example.org/3.jpg"}, Message: "Album"})
	if err != nil {
		t.Fatal(err)
	}
	video, err := c.PublishPageVideo(ctx, pageToken, pageID, meta.PageVideo{FileURL: "https://cdn.example.org/v.mp4", Title: "Video", Description: "Video sosialisasi"})
	if err != nil {
		t.Fatal(err)
	}
	if video.VideoID == "" {
		t.Fatal("no video id")
	}
	vs, err := c.PageVideoStatus(ctx, pageToken, video.VideoID)
	if err != nil || vs.VideoStatus != "processing" || vs.PostID == "" {
		t.Errorf("video status %+v, %v", vs, err)
	}
	e.clock.Advance(2 * time.Minute)
	if vs, _ = c.PageVideoStatus(ctx, pageToken, video.VideoID); vs.VideoStatus != "ready" {
		t.Errorf("video status after processing = %q", vs.VideoStatus)
	}

	sched, err := c.PublishPageFeed(ctx, pageToken, pageID, meta.FeedPost{Message: "Terjadwal", ScheduledAt: e.clock.Now().Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}

	e.clock.Advance(time.Minute)
	posts, err := c.ListPagePosts(ctx, pageToken, pageID, meta.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, p := range posts {
		kinds[p.ID] = p.MediaType
	}
	want := map[string]string{text.PostID: "", link.PostID: "link", photo.PostID: "photo", album.PostID: "album", vs.PostID: "video"}
	for id, mt := range want {
		got, ok := kinds[id]
		if !ok || got != mt {
			t.Errorf("post %s: listed=%v media_type=%q, want %q", id, ok, got, mt)
		}
	}
	if _, ok := kinds[sched.PostID]; ok {
		t.Error("scheduled post listed before its time")
	}
	if n := e.sim.PublishedCount(pageID); n != 6 {
		t.Errorf("published = %d, want 6", n)
	}
	e.clock.Advance(2 * time.Hour)
	if p, ok, err := c.FindPagePost(ctx, pageToken, pageID, t0, func(p meta.PagePost) bool { return p.Message == "Terjadwal" }); err != nil || !ok || p.ID != sched.PostID {
		t.Errorf("scheduled post not found after its time: %v %v", ok, err)
	}
}

func TestPublishIG(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, graphsim.Options{IGReadyDelay: 10 * time.Second, IGVideoReadyDelay: time.Minute}, meta.Options{})
	c := e.client
	tok := pageToken

	img, err := c.CreateIGContainer(ctx, tok, igID, meta.IGContainer{Kind: meta.IGImage, ImageURL: "https://cdn.example.org/a.jpg", Caption: "Halo #pemilu @kpu_ri"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.IGContainerStatus(ctx, tok, img)
	if err != nil || st.Code != meta.IGInProgress {
		t.Fatalf("status = %+v, %v; want IN_PROGRESS", st, err)
	}
	_, err = c.IGPublish(ctx, tok, igID, img)
	if meta.ClassOf(err) != meta.ClassNotReady {
		t.Fatalf("publish before ready: class %v (%v), want not_ready", meta.ClassOf(err), err)
	}
	e.clock.Advance(11 * time.Second)
	if st, _ = c.IGContainerStatus(ctx, tok, img); st.Code != meta.IGFinished {
		t.Fatalf("status = %v, want FINISHED", st.Code)
	}
	mediaID, err := c.IGPublish(ctx, tok, igID, img)
	if err != nil || mediaID == "" {
		t.Fatal(err)
	}
	if st, _ = c.IGContainerStatus(ctx, tok, img); st.Code != meta.IGPublished {
		t.Errorf("status = %v, want PUBLISHED", st.Code)
	}

	reel, err := c.CreateIGContainer(ctx, tok, igID, meta.IGContainer{Kind: meta.IGReel, VideoURL: "https://cdn.example.org/r.mp4", Caption: "Reel"})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(30 * time.Second)
	if st, _ = c.IGContainerStatus(ctx, tok, reel); st.Code != meta.IGInProgress {
		t.Errorf("reel after 30s = %v, want IN_PROGRESS (video is slower)", st.Code)
	}
	var children []string
	for i := 0; i < 3; i++ {
		id, err := c.CreateIGContainer(ctx, tok, igID, meta.IGContainer{Kind: meta.IGCarouselItem, ImageURL: "https://cdn.example.org/c.jpg"})
		if err != nil {
			t.Fatal(err)
		}
		children = append(children, id)
	}
	carousel, err := c.CreateIGContainer(ctx, tok, igID, meta.IGContainer{Kind: meta.IGCarousel, Children: children, Caption: "Geser untuk kuis"})
	if err != nil {
		t.Fatal(err)
	}
	story, err := c.CreateIGContainer(ctx, tok, igID, meta.IGContainer{Kind: meta.IGStory, ImageURL: "https://cdn.example.org/s.jpg"})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	for _, id := range []string{reel, carousel, story} {
		if _, err := c.IGPublish(ctx, tok, igID, id); err != nil {
			t.Fatalf("publish %s: %v", id, err)
		}
	}
	lim, err := c.IGPublishingLimit(ctx, tok, igID)
	if err != nil || lim.Used != 4 || lim.Total != 50 || lim.Duration != 24*time.Hour {
		t.Errorf("limit = %+v, %v", lim, err)
	}

	e.clock.Advance(time.Hour)
	media, err := c.ListIGMedia(ctx, tok, igID, meta.ListOptions{WithInsights: true})
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, m := range media {
		types[m.MediaProductType+"/"+m.MediaType]++
		if !m.Insights.Reach.OK || m.Insights.Reach.Metric != "reach" || !m.Insights.Saved.OK {
			t.Errorf("media %s insights %+v", m.ID, m.Insights)
		}
	}
	if types["FEED/IMAGE"] != 1 || types["REELS/VIDEO"] != 1 || types["FEED/CAROUSEL_ALBUM"] != 1 {
		t.Errorf("media types = %v", types)
	}
	if len(media) != 3 {
		t.Errorf("feed media = %d, want 3 (stories are not in /media)", len(media))
	}
	stories, err := c.ListIGStories(ctx, tok, igID, true)
	if err != nil || len(stories) != 1 || stories[0].MediaProductType != "STORY" {
		t.Fatalf("stories = %+v, %v", stories, err)
	}
	if !stories[0].Insights.Reach.OK || stories[0].Insights.Likes.OK {
		t.Errorf("story insights: reach OK=%v likes OK=%v; want reach only", stories[0].Insights.Reach.OK, stories[0].Insights.Likes.OK)
	}
	e.clock.Advance(24 * time.Hour)
	if stories, _ = c.ListIGStories(ctx, tok, igID, false); len(stories) != 0 {
		t.Errorf("stories after 24h = %d, want 0", len(stories))
	}
	if m, ok, err := c.FindIGMedia(ctx, tok, igID, t0, func(m meta.IGMedia) bool { return m.Caption == "Geser untuk kuis" }); err != nil || !ok || m.MediaType != "CAROUSEL_ALBUM" {
		t.Errorf("find carousel: %+v %v %v", m, ok, err)
	}
}

func TestIGContainerExpiresAndErrors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, graphsim.Options{}, meta.Options{})
	c := e.client
	id, err := c.CreateIGContainer(ctx, pageToken, igID, meta.IGContainer{Kind: meta.IGImage, ImageURL: "https://cdn.example.org/a.jpg"})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(24 * time.Hour)
	if st, _ := c.IGContainerStatus(ctx, pageToken, id); st.Code != meta.IGExpired {
		t.Errorf("after 24h status = %v, want EXPIRED", st.Code)
	}
	_, err = c.IGPublish(ctx, pageToken, igID, id)
	var me *meta.Error
	if !asError(err, &me) || me.Subcode != 2207020 || me.Class != meta.ClassInvalid {
		t.Errorf("publish expired: %v", err)
	}

	e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultContainerError, Endpoint: "ig_media_create"})
	id, err = c.CreateIGContainer(ctx, pageToken, igID, meta.IGContainer{Kind: meta.IGReel, VideoURL: "https://cdn.example.org/r.mp4"})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	st, _ := c.IGContainerStatus(ctx, pageToken, id)
	if st.Code != meta.IGError || !strings.Contains(st.Status, "2207026") {
		t.Errorf("failed container = %+v", st)
	}

	for name, m := range map[string]meta.IGContainer{
		"png":        {Kind: meta.IGImage, ImageURL: "https://cdn.example.org/a.png"},
		"video feed": {Kind: meta.IGStory},
	} {
		if _, err := c.CreateIGContainer(ctx, pageToken, igID, m); meta.ClassOf(err) != meta.ClassInvalid {
			t.Errorf("%s: class %v (%v), want invalid", name, meta.ClassOf(err), err)
		}
	}
	if _, err := c.CreateIGContainer(ctx, pageToken, igID, meta.IGContainer{Kind: meta.IGCarousel, Children: []string{"1"}}); err == nil {
		t.Error("one-item carousel accepted")
	}
	if err := meta.ValidateIGCaption(strings.Repeat("#tag ", 31)); err == nil {
		t.Error("31 hashtags accepted")
	}
}
