package meta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// PostResult holds the ids Meta returns for a Page publish.
type PostResult struct {
	PostID  string // "<page-id>_<post-id>"; empty for videos (see VideoID)
	PhotoID string // single photo posts
	VideoID string // video posts
}

// FeedPost is a text or link post, or (with MediaFBIDs) a multi-photo post.
type FeedPost struct {
	Message string
	Link    string
	// MediaFBIDs are unpublished photo ids to attach (attached_media).
	MediaFBIDs []string
	// ScheduledAt, when set, schedules the post (published=false).
	ScheduledAt time.Time
}

// PagePhoto is a single photo post: its bytes (Source, sent as multipart
// source) or a public URL.
type PagePhoto struct {
	Source      *File
	URL         string
	Message     string
	AltText     string
	ScheduledAt time.Time
}

// PagePhotos is a multi-photo post: each photo's bytes (Sources) or
// public URLs.
type PagePhotos struct {
	Sources     []*File
	URLs        []string
	Message     string
	ScheduledAt time.Time
}

// PageVideo is a video post: its bytes (Source, multipart source) or a
// public file URL.
type PageVideo struct {
	Source      *File
	FileURL     string
	Title       string
	Description string
	ScheduledAt time.Time
}

type idAnswer struct {
	ID     string `json:"id"`
	PostID string `json:"post_id"`
}

func schedule(p url.Values, at time.Time) {
	if !at.IsZero() {
		p.Set("published", "false")
		p.Set("scheduled_publish_time", strconv.FormatInt(at.Unix(), 10))
	}
}

// PublishPageFeed creates a text, link or multi-photo post (POST /{page}/feed).
func (c *Client) PublishPageFeed(ctx context.Context, token, pageID string, p FeedPost) (PostResult, error) {
	if p.Message == "" && p.Link == "" && len(p.MediaFBIDs) == 0 {
		return PostResult{}, errors.New("meta: page_feed_post: message, link or media required")
	}
	v := url.Values{}
	if p.Message != "" {
		v.Set("message", p.Message)
	}
	if p.Link != "" {
		v.Set("link", p.Link)
	}
	for i, id := range p.MediaFBIDs {
		b, err := json.Marshal(map[string]string{"media_fbid": id})
		if err != nil {
			return PostResult{}, fmt.Errorf("meta: page_feed_post: %w", err)
		}
		v.Set(fmt.Sprintf("attached_media[%d]", i), string(b))
	}
	schedule(v, p.ScheduledAt)
	var a idAnswer
	if _, err := c.call(ctx, request{endpoint: "page_feed_post", method: http.MethodPost, path: pageID + "/feed", params: v, token: token}, &a); err != nil {
		return PostResult{}, err
	}
	if a.ID == "" {
		return PostResult{}, errors.New("meta: page_feed_post: answer without id")
	}
	return PostResult{PostID: a.ID}, nil
}

// PublishPagePhoto creates a single-photo post (POST /{page}/photos).
func (c *Client) PublishPagePhoto(ctx context.Context, token, pageID string, p PagePhoto) (PostResult, error) {
	v := url.Values{}
	if p.Source == nil {
		v.Set("url", p.URL)
	}
	if p.Message != "" {
		v.Set("message", p.Message)
	}
	if p.AltText != "" {
		v.Set("alt_text_custom", p.AltText)
	}
	schedule(v, p.ScheduledAt)
	var a idAnswer
	req := request{endpoint: "page_photos_post", method: http.MethodPost, path: pageID + "/photos", params: v, token: token}
	if p.Source != nil {
		req.file, req.fileField = p.Source, "source"
	}
	if _, err := c.call(ctx, req, &a); err != nil {
		return PostResult{}, err
	}
	if a.ID == "" {
		return PostResult{}, errors.New("meta: page_photos_post: answer without id")
	}
	return PostResult{PostID: a.PostID, PhotoID: a.ID}, nil
}

// UploadPagePhoto uploads an unpublished photo (for a multi-photo post) and
// returns its id. Unpublished photos are deleted by Meta after about 24 h,
// so repeating an upload is harmless.
func (c *Client) UploadPagePhoto(ctx context.Context, token, pageID, photoURL string) (string, error) {
	v := url.Values{"url": {photoURL}, "published": {"false"}}
	var a idAnswer
	if _, err := c.call(ctx, request{endpoint: "page_photos_upload", method: http.MethodPost, path: pageID + "/photos", params: v, token: token}, &a); err != nil {
		return "", err
	}
	if a.ID == "" {
		return "", errors.New("meta: page_photos_upload: answer without id")
	}
	return a.ID, nil
}

// PublishPagePhotos uploads each photo unpublished, then creates one feed
// post that attaches them. Only the last call publishes; if it fails with an
// uncertain outcome, reconcile before retrying (FindPagePost).
func (c *Client) PublishPagePhotos(ctx context.Context, token, pageID string, p PagePhotos) (PostResult, error) {
	n := len(p.URLs) + len(p.Sources)
	if n == 0 {
		return PostResult{}, errors.New("meta: page_photos: no photos")
	}
	ids := make([]string, 0, n)
	for i, f := range p.Sources {
		id, err := c.UploadPagePhotoFile(ctx, token, pageID, f)
		if err != nil {
			return PostResult{}, fmt.Errorf("meta: photo %d of %d: %w", i+1, n, err)
		}
		ids = append(ids, id)
	}
	for i, u := range p.URLs {
		id, err := c.UploadPagePhoto(ctx, token, pageID, u)
		if err != nil {
			return PostResult{}, fmt.Errorf("meta: photo %d of %d: %w", len(p.Sources)+i+1, n, err)
		}
		ids = append(ids, id)
	}
	return c.PublishPageFeed(ctx, token, pageID, FeedPost{Message: p.Message, MediaFBIDs: ids, ScheduledAt: p.ScheduledAt})
}

// PublishPageVideo creates a video post from a public URL (POST /{page}/videos).
// Meta answers with the video id only; the post appears on the Page once
// processed (see PageVideoStatus).
func (c *Client) PublishPageVideo(ctx context.Context, token, pageID string, p PageVideo) (PostResult, error) {
	v := url.Values{}
	if p.Source == nil {
		v.Set("file_url", p.FileURL)
	}
	if p.Title != "" {
		v.Set("title", p.Title)
	}
	if p.Description != "" {
		v.Set("description", p.Description)
	}
	schedule(v, p.ScheduledAt)
	var a idAnswer
	req := request{endpoint: "page_videos_post", method: http.MethodPost, path: pageID + "/videos", params: v, token: token}
	if p.Source != nil {
		req.file, req.fileField = p.Source, "source"
	}
	if _, err := c.call(ctx, req, &a); err != nil {
		return PostResult{}, err
	}
	if a.ID == "" {
		return PostResult{}, errors.New("meta: page_videos_post: answer without id")
	}
	return PostResult{VideoID: a.ID, PostID: a.PostID}, nil
}

// VideoStatus is a Page video's (or Reel's) processing state.
type VideoStatus struct {
	// VideoStatus is processing, ready, or a final failure: error or
	// expired (the upload or processing will not complete).
	VideoStatus        string
	ProcessingProgress int
	// Phases: not_started, in_progress, complete or error. A Reel's
	// publishing phase leaves not_started once FinishPageReel took effect.
	UploadingPhase, ProcessingPhase, PublishingPhase string
	PostID                                           string // the Page post, when Meta reports it
}

// Failed reports a final processing failure (error or expired).
func (s VideoStatus) Failed() bool { return s.VideoStatus == "error" || s.VideoStatus == "expired" }

// PageVideoStatus reads GET /{video}?fields=status,post_id (a single call).
func (c *Client) PageVideoStatus(ctx context.Context, token, videoID string) (VideoStatus, error) {
	var a struct {
		Status rawStatus `json:"status"`
		PostID string    `json:"post_id"`
	}
	v := url.Values{"fields": {"status,post_id"}}
	if _, err := c.call(ctx, request{endpoint: "page_video_status", method: http.MethodGet, path: videoID, params: v, token: token}, &a); err != nil {
		return VideoStatus{}, err
	}
	return a.Status.toStatus(a.PostID), nil
}
