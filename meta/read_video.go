package meta

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// PageVideoInfo is a video uploaded to a Page, as GET /{page}/videos lists
// it: processing videos included (their post is not yet in /{page}/posts).
type PageVideoInfo struct {
	ID          string
	Title       string
	Description string
	CreatedTime time.Time
	Status      VideoStatus // PostID is the Page post, when Meta reports it
}

type rawPageVideo struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	CreatedTime string    `json:"created_time"`
	PostID      string    `json:"post_id"`
	Status      rawStatus `json:"status"`
}

type rawPhase struct {
	Status string `json:"status"`
}

type rawStatus struct {
	VideoStatus        string   `json:"video_status"`
	ProcessingProgress int      `json:"processing_progress"`
	UploadingPhase     rawPhase `json:"uploading_phase"`
	ProcessingPhase    rawPhase `json:"processing_phase"`
	PublishingPhase    rawPhase `json:"publishing_phase"`
}

func (r rawStatus) toStatus(postID string) VideoStatus {
	return VideoStatus{VideoStatus: r.VideoStatus, ProcessingProgress: r.ProcessingProgress, PostID: postID,
		UploadingPhase: r.UploadingPhase.Status, ProcessingPhase: r.ProcessingPhase.Status, PublishingPhase: r.PublishingPhase.Status}
}

const pageVideoFields = "id,title,description,created_time,status,post_id"

// ListPageVideos lists the videos uploaded to a Page created since `since`
// (zero: all), newest first: GET /{page}/videos?type=uploaded, following
// `next` and stopping at the first page that reaches past since.
func (c *Client) ListPageVideos(ctx context.Context, token, pageID string, since time.Time) ([]PageVideoInfo, error) {
	v := url.Values{"fields": {pageVideoFields}, "type": {"uploaded"}, "limit": {strconv.Itoa(maxLimit)}}
	if !since.IsZero() {
		v.Set("since", strconv.FormatInt(since.Unix(), 10))
	}
	var out []PageVideoInfo
	err := listWhile(ctx, c, request{endpoint: "page_videos_list", method: http.MethodGet, path: pageID + "/videos", params: v, token: token},
		func(r rawPageVideo) bool {
			created := graphTime(r.CreatedTime)
			if !since.IsZero() && created.Before(since) {
				return false
			}
			out = append(out, PageVideoInfo{ID: r.ID, Title: r.Title, Description: r.Description, CreatedTime: created,
				Status: r.Status.toStatus(r.PostID)})
			return true
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindPageVideo returns the newest Page video uploaded since `since` for
// which match is true, processing or not. The scheduler uses it to
// reconcile an uncertain video publish: a video's post is missing from
// /{page}/posts (FindPagePost) until Meta has processed it.
func (c *Client) FindPageVideo(ctx context.Context, token, pageID string, since time.Time, match func(PageVideoInfo) bool) (PageVideoInfo, bool, error) {
	videos, err := c.ListPageVideos(ctx, token, pageID, since)
	if err != nil {
		return PageVideoInfo{}, false, err
	}
	for _, v := range videos {
		if match(v) {
			return v, true, nil
		}
	}
	return PageVideoInfo{}, false, nil
}

// PageReel is a Facebook Reel of a Page with its plays, which Meta reports
// on /{video-id}/video_insights (the Reel's post insights stay at zero).
type PageReel struct {
	ID          string // the video id
	PostID      string // when Meta reports it (match posts by PagePost.TargetID otherwise)
	Description string
	CreatedTime time.Time
	Plays       Value // blue_reels_play_count
	TotalPlays  Value // fb_reels_total_plays (plays with replays)
}

// ListPageReels lists a Page's Reels created since `since` (zero: all),
// newest first, with their plays through field expansion of
// video_insights: one call per 100 Reels (GET /{page}/video_reels).
func (c *Client) ListPageReels(ctx context.Context, token, pageID string, since time.Time) ([]PageReel, error) {
	m := c.metrics
	v := url.Values{"fields": {"id,description,created_time,post_id,video_insights.metric(" + m.FBReelPlays + "," + m.FBReelTotalPlays + ")"},
		"limit": {strconv.Itoa(maxLimit)}}
	if !since.IsZero() {
		v.Set("since", strconv.FormatInt(since.Unix(), 10))
	}
	type raw struct {
		ID            string           `json:"id"`
		Description   string           `json:"description"`
		CreatedTime   string           `json:"created_time"`
		PostID        string           `json:"post_id"`
		VideoInsights InsightsResponse `json:"video_insights"`
	}
	var out []PageReel
	err := listWhile(ctx, c, request{endpoint: "page_reels_list", method: http.MethodGet, path: pageID + "/video_reels", params: v, token: token},
		func(r raw) bool {
			created := graphTime(r.CreatedTime)
			if !since.IsZero() && created.Before(since) {
				return false
			}
			out = append(out, PageReel{ID: r.ID, PostID: r.PostID, Description: r.Description, CreatedTime: created,
				Plays: r.VideoInsights.value(m.FBReelPlays), TotalPlays: r.VideoInsights.value(m.FBReelTotalPlays)})
			return true
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}
